package io.tierstate.server.roles;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The roles of a tenant, and the platform administrator role that only platform administrators
 * see, grant, revoke, or take away from its holders.
 */
class RolesApiIntegrationTests {
  private static final String PASSWORD = "correct-horse-battery";

  @RegisterExtension
  static final TestStack stack = TestStack.withServer();
  private static ApiClient admin;
  private static ApiClient member;
  private static ApiClient globexAdmin;
  private static ApiClient root;

  @BeforeAll
  static void start() {
    admin = TestStack.signedIn(stack.server(), "admin@acme.test");
    member = TestStack.signedIn(stack.server(), "alice@acme.test");
    globexAdmin = TestStack.signedIn(stack.server(), "admin@globex.test");
    root = TestStack.signedIn(stack.server(), "root@tierstate.test");
    // A role of acme's own, before anything is cached: it may read users but not roles.
    stack.server().database().update("""
        INSERT INTO roles (tenant_id, name, description) VALUES (?, 'auditor', 'Reads the user list')""",
        admin.tenantId());
    stack.server().database().update("""
        INSERT INTO role_permissions (role_id, permission)
        SELECT id, 'users:read' FROM roles WHERE tenant_id = ? AND name = 'auditor'""", admin.tenantId());
  }

  private static String roles(UUID tenantId) {
    return "/api/v1/tenants/" + tenantId + "/roles";
  }

  private static JsonNode role(JsonNode items, String name) {
    for (JsonNode item : items) {
      if (item.get("name").asText().equals(name)) {
        return item;
      }
    }
    throw new AssertionError("no role " + name + " in " + items);
  }

  @Test
  void aMemberSeesTheBuiltInRolesAndTheTenantsOwnWithTheirPermissions() {
    Answer answer = member.get(roles(member.tenantId()));
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    JsonNode items = answer.json().get("items");
    assertThat(items).extracting(item -> item.get("name").asText()).containsExactly("auditor", "member", "tenant_admin");
    JsonNode memberRole = role(items, "member");
    assertThat(memberRole.get("builtIn").asBoolean()).isTrue();
    assertThat(memberRole.get("description").asText()).isNotBlank();
    assertThat(memberRole.get("permissions")).extracting(JsonNode::asText)
        .containsExactly("roles:read", "tenants:read", "users:read");
    JsonNode auditor = role(items, "auditor");
    assertThat(auditor.get("builtIn").asBoolean()).isFalse();
    assertThat(auditor.get("permissions")).extracting(JsonNode::asText).containsExactly("users:read");
    // tenant_admin holds every tenant permission, but not the platform's.
    assertThat(role(items, "tenant_admin").get("permissions")).extracting(JsonNode::asText)
        .contains("users:delete", "roles:assign", "cache:admin", "tenants:write").doesNotContain("platform:admin");

    assertThat(answer.header("ETag")).isNotBlank();
    assertThat(member.get(roles(member.tenantId()), Map.of("If-None-Match", answer.header("ETag"))).status())
        .isEqualTo(304);
    // Another tenant's own roles are not listed in globex.
    assertThat(globexAdmin.get(roles(globexAdmin.tenantId())).json().get("items"))
        .extracting(item -> item.get("name").asText()).containsExactly("member", "tenant_admin");
  }

  @Test
  void anotherTenantIsNotFoundAndTheListNeedsRolesRead() {
    Answer foreign = admin.get(roles(globexAdmin.tenantId()));
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.errorCode()).isEqualTo("not_found");
    assertThat(foreign.body()).doesNotContain("tenant_admin");
    assertThat(admin.get(roles(UUID.randomUUID())).status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/tenants/not-a-uuid/roles").errorCode()).isEqualTo("invalid_id");
    assertThat(admin.get(roles(admin.tenantId()) + "?sort=name").errorCode()).isEqualTo("unknown_parameter");
    assertThat(stack.client().get(roles(admin.tenantId())).status()).isEqualTo(401);

    String email = "auditor" + UUID.randomUUID().toString().substring(0, 6) + "@acme.test";
    assertThat(admin.post("/api/v1/tenants/" + admin.tenantId() + "/users", Map.of("email", email,
        "displayName", "Audrey Auditor", "password", PASSWORD, "roles", List.of("auditor"))).status()).isEqualTo(201);
    ApiClient auditor = stack.client();
    auditor.login(email, PASSWORD);
    assertThat(auditor.get("/api/v1/tenants/" + admin.tenantId() + "/users").status()).isEqualTo(200);
    Answer refused = auditor.get(roles(admin.tenantId()));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.errorCode()).isEqualTo("forbidden");
  }

  @Test
  void platformAdminsSeeEveryTenantsRolesAndThePlatformRole() {
    JsonNode acme = root.get(roles(admin.tenantId())).json().get("items");
    assertThat(acme).extracting(item -> item.get("name").asText())
        .containsExactly("auditor", "member", "platform_admin", "tenant_admin");
    assertThat(role(acme, "platform_admin").get("permissions")).extracting(JsonNode::asText)
        .containsExactly("platform:admin");
    assertThat(root.get(roles(globexAdmin.tenantId())).status()).isEqualTo(200);
    Answer unknown = root.get(roles(UUID.randomUUID()));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorCode()).isEqualTo("not_found");
  }

  @Test
  void onlyPlatformAdminsGrantRevokeOrEndThePlatformRole() {
    String acmeUsers = "/api/v1/tenants/" + admin.tenantId() + "/users";
    Answer grant = admin.post(acmeUsers, Map.of("email", "climber@acme.test", "displayName", "Climber",
        "password", PASSWORD, "roles", List.of("tenant_admin", "platform_admin")));
    assertThat(grant.status()).isEqualTo(403);
    assertThat(grant.errorCode()).isEqualTo("forbidden");
    assertThat(admin.get(acmeUsers + "?q=climber").json().get("total").asLong()).isZero();
    Answer self = admin.patch(acmeUsers + "/" + admin.userId(), Map.of("roles", List.of("tenant_admin", "platform_admin")));
    assertThat(self.status()).isEqualTo(403);
    assertThat(admin.get("/api/v1/users/" + admin.userId() + "/permissions").json().get("permissions"))
        .extracting(JsonNode::asText).doesNotContain("platform:admin");

    // A tenant admin of the platform tenant cannot demote, suspend or delete the platform administrator.
    String platformUsers = "/api/v1/tenants/" + root.tenantId() + "/users";
    String opsEmail = "ops" + UUID.randomUUID().toString().substring(0, 6) + "@tierstate.test";
    Answer ops = root.post(platformUsers, Map.of("email", opsEmail, "displayName", "Ops", "password", PASSWORD,
        "roles", List.of("tenant_admin")));
    assertThat(ops.status()).as(ops.toString()).isEqualTo(201);
    ApiClient opsClient = stack.client();
    opsClient.login(opsEmail, PASSWORD);
    String rootPath = platformUsers + "/" + root.userId();
    assertThat(opsClient.patch(rootPath, Map.of("roles", List.of("tenant_admin"))).status()).isEqualTo(403);
    assertThat(opsClient.patch(rootPath, Map.of("status", "suspended")).status()).isEqualTo(403);
    assertThat(opsClient.delete(rootPath).status()).isEqualTo(403);
    assertThat(opsClient.patch(rootPath, Map.of("displayName", "Root Renamed")).status()).isEqualTo(200);
    JsonNode rootNow = root.get(rootPath).json();
    assertThat(rootNow.get("roles")).extracting(JsonNode::asText).containsExactly("platform_admin", "tenant_admin");
    assertThat(rootNow.get("status").asText()).isEqualTo("active");

    // The platform administrator grants the role, and its holder is one at once.
    String opsPath = platformUsers + "/" + ops.json().get("id").asText();
    assertThat(root.patch(opsPath, Map.of("roles", List.of("platform_admin", "tenant_admin"))).status()).isEqualTo(200);
    assertThat(opsClient.get("/api/v1/tenants").status()).isEqualTo(200);
    assertThat(root.patch(opsPath, Map.of("roles", List.of("tenant_admin"))).status()).isEqualTo(200);
    assertThat(opsClient.get("/api/v1/tenants").status()).isEqualTo(403);
  }
}
