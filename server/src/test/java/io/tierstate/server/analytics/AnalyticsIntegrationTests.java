package io.tierstate.server.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.auth.PasswordHasher;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tenant analytics: computed in PostgreSQL, cached for an hour, dropped by user changes and not by
 * sign-ins. Each test uses a tenant of its own so that their counts do not mix.
 */
class AnalyticsIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();
  private static ApiClient root;

  @BeforeAll
  static void start() {
    root = TestStack.signedIn(stack.server(), "root@tierstate.test");
  }

  /** A new tenant with a signed-in administrator (one sign-in today). */
  private static ApiClient newTenantAdmin() {
    String slug = "t" + UUID.randomUUID().toString().substring(0, 8);
    Answer tenant = root.post("/api/v1/tenants", Map.of("slug", slug, "name", "Analytics " + slug));
    assertThat(tenant.status()).as(tenant.toString()).isEqualTo(201);
    UUID tenantId = UUID.fromString(tenant.json().get("id").asText());
    // Platform administrators manage tenants, not their users: the first administrator goes in by SQL.
    String email = "admin@" + slug + ".test";
    UUID id = UUID.randomUUID();
    stack.server().database().update(
        "INSERT INTO users (id, tenant_id, email, password_hash, display_name) VALUES (?, ?, ?, ?, ?)",
        id, tenantId, email, new PasswordHasher().hash(TestStack.PASSWORD), "Tenant Admin");
    stack.server().database().update("""
        INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE tenant_id IS NULL AND name = 'tenant_admin'""",
        id);
    ApiClient admin = stack.client();
    admin.login(email, TestStack.PASSWORD);
    return admin;
  }

  private static void createUser(ApiClient by, UUID tenantId, String email, List<String> roles) {
    Answer created = by.post("/api/v1/tenants/" + tenantId + "/users", Map.of("email", email,
        "displayName", "User " + email, "password", TestStack.PASSWORD, "roles", roles));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
  }

  private static String path(UUID tenantId) {
    return "/api/v1/tenants/" + tenantId + "/analytics";
  }

  private static long today(JsonNode analytics) {
    JsonNode days = analytics.get("signIns");
    JsonNode last = days.get(days.size() - 1);
    assertThat(last.get("day").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
    return last.get("count").asLong();
  }

  private static long role(JsonNode analytics, String name) {
    for (JsonNode role : analytics.get("users").get("byRole")) {
      if (role.get("role").asText().equals(name)) {
        return role.get("users").asLong();
      }
    }
    return 0;
  }

  @Test
  void usersByStatusAndRoleAndSignInsPerDayForEachDayOfTheRange() {
    ApiClient admin = newTenantAdmin();
    createUser(admin, admin.tenantId(), "m1-" + admin.tenantId() + "@x.test", List.of("member"));
    createUser(admin, admin.tenantId(), "m2-" + admin.tenantId() + "@x.test", List.of("member"));

    Answer answer = admin.get(path(admin.tenantId()));
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    JsonNode analytics = answer.json();
    assertThat(analytics.get("range").asText()).isEqualTo("7d");
    assertThat(analytics.get("users").get("total").asLong()).isEqualTo(3);
    assertThat(analytics.get("users").get("byStatus").get("active").asLong()).isEqualTo(3);
    assertThat(analytics.get("users").get("byStatus").get("suspended").asLong()).isZero();
    assertThat(role(analytics, "member")).isEqualTo(2);
    assertThat(role(analytics, "tenant_admin")).isEqualTo(1);
    assertThat(analytics.get("signIns")).hasSize(7);
    assertThat(analytics.get("from").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).minusDays(6).toString());
    assertThat(today(analytics)).isEqualTo(1);
    assertThat(analytics.get("signIns").get(0).get("count").asLong()).isZero();

    JsonNode month = admin.get(path(admin.tenantId()) + "?range=30d").json();
    assertThat(month.get("signIns")).hasSize(30);
    assertThat(admin.get(path(admin.tenantId()) + "?range=90d").json().get("signIns")).hasSize(90);
    // Conditional GETs work as on every other representation.
    assertThat(admin.get(path(admin.tenantId()), Map.of("If-None-Match", answer.header("ETag"))).status())
        .isEqualTo(304);
  }

  @Test
  void cachedForAnHourUnderTheTenantsAnalyticsKeyUntilAUserChangeDropsIt() {
    ApiClient admin = newTenantAdmin();
    JsonNode first = admin.get(path(admin.tenantId())).json();
    String redisKey = "ts:{tenant:" + admin.tenantId() + ":analytics:dashboard:7d}";
    long ttl = Long.parseLong(stack.redis().command("PTTL", redisKey));
    assertThat(ttl).isBetween(Duration.ofMinutes(59).toMillis(), Duration.ofHours(1).toMillis());

    // A sign-in counts in PostgreSQL but does not invalidate: the entry ages out instead.
    ApiClient again = stack.client();
    again.login("admin@" + slugOf(admin) + ".test", TestStack.PASSWORD);
    long signInsInPostgres = stack.server().database().queryOne(
        "SELECT sign_ins FROM sign_in_days WHERE tenant_id = ? AND day = (now() AT TIME ZONE 'UTC')::date",
        row -> row.getLong(1), admin.tenantId()).orElseThrow();
    assertThat(signInsInPostgres).isEqualTo(2);
    JsonNode cached = admin.get(path(admin.tenantId())).json();
    assertThat(today(cached)).isEqualTo(1);
    assertThat(cached.get("computedAt").asText()).isEqualTo(first.get("computedAt").asText());

    // A user change drops the entry at once: the new user and the second sign-in are both counted.
    createUser(admin, admin.tenantId(), "late-" + admin.tenantId() + "@x.test", List.of("member"));
    assertThat(stack.redis().command("EXISTS", redisKey)).isEqualTo("0");
    JsonNode fresh = admin.get(path(admin.tenantId())).json();
    assertThat(fresh.get("users").get("total").asLong()).isEqualTo(2);
    assertThat(today(fresh)).isEqualTo(2);

    // So does a suspension, which moves a user from one status to the other.
    String userId = admin.get("/api/v1/tenants/" + admin.tenantId() + "/users?q=late-").json()
        .get("items").get(0).get("id").asText();
    Answer read = admin.get("/api/v1/tenants/" + admin.tenantId() + "/users/" + userId);
    Answer suspended = admin.patch("/api/v1/tenants/" + admin.tenantId() + "/users/" + userId,
        Map.of("status", "suspended"), Map.of("If-Match", read.header("ETag")));
    assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
    JsonNode afterSuspension = admin.get(path(admin.tenantId())).json();
    assertThat(afterSuspension.get("users").get("byStatus").get("suspended").asLong()).isEqualTo(1);
    assertThat(afterSuspension.get("users").get("byStatus").get("active").asLong()).isEqualTo(1);
  }

  private static String slugOf(ApiClient admin) {
    return stack.server().database().queryOne("SELECT slug FROM tenants WHERE id = ?", row -> row.getString(1),
        admin.tenantId()).orElseThrow();
  }

  @Test
  void otherTenantsAreNotFoundBadRangesAreRefusedAndPlatformAdminsSeeAnyTenant() {
    ApiClient admin = newTenantAdmin();
    ApiClient globex = TestStack.signedIn(stack.server(), "admin@globex.test");
    Answer foreign = globex.get(path(admin.tenantId()));
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.body()).doesNotContain("signIns");

    Answer badRange = admin.get(path(admin.tenantId()) + "?range=1y");
    assertThat(badRange.status()).isEqualTo(400);
    assertThat(badRange.errorCode()).isEqualTo("invalid_parameter");
    assertThat(badRange.body()).contains("7d, 30d, 90d");
    assertThat(admin.get(path(admin.tenantId()) + "?from=2020-01-01").errorCode()).isEqualTo("unknown_parameter");
    assertThat(stack.client().get(path(admin.tenantId())).status()).isEqualTo(401);

    assertThat(root.get(path(admin.tenantId())).json().get("users").get("total").asLong()).isEqualTo(1);
    Answer unknown = root.get(path(UUID.randomUUID()));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorCode()).isEqualTo("not_found");
  }
}
