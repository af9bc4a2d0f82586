package io.tierstate.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The users API over real HTTP against one instance on real PostgreSQL and Redis. */
class UsersApiIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();
  private static ApiClient admin;
  private static ApiClient member;
  private static ApiClient globexAdmin;

  @BeforeAll
  static void start() {
    admin = TestStack.signedIn(stack.server(), "admin@acme.test");
    member = TestStack.signedIn(stack.server(), "alice@acme.test");
    globexAdmin = TestStack.signedIn(stack.server(), "admin@globex.test");
  }

  private static String users() {
    return "/api/v1/tenants/" + admin.tenantId() + "/users";
  }

  private static JsonNode create(String email, String displayName, List<String> roles) {
    Answer created = admin.post(users(), Map.of("email", email, "displayName", displayName,
        "password", "correct-horse-battery", "roles", roles));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json();
  }

  @Test
  void createReadChangeAndDeleteAUser() {
    Answer created = admin.post(users(), Map.of("email", "Dana@Acme.test", "displayName", " Dana Doe ",
        "password", "correct-horse-battery"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonNode dana = created.json();
    String id = dana.get("id").asText();
    assertThat(dana.get("email").asText()).isEqualTo("dana@acme.test");
    assertThat(dana.get("displayName").asText()).isEqualTo("Dana Doe");
    assertThat(dana.get("status").asText()).isEqualTo("active");
    assertThat(dana.get("roles")).extracting(JsonNode::asText).containsExactly("member");
    assertThat(dana.has("passwordHash")).isFalse();
    assertThat(created.header("Location")).isEqualTo(users() + "/" + id);
    assertThat(created.header("ETag")).startsWith("\"");

    // The new user can sign in with the password given.
    stack.client().login("dana@acme.test", "correct-horse-battery");

    Answer read = admin.get(users() + "/" + id);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json()).isEqualTo(dana);

    Answer changed = admin.patch(users() + "/" + id, Map.of("displayName", "Dana Day", "roles", List.of("member", "tenant_admin")));
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.json().get("displayName").asText()).isEqualTo("Dana Day");
    assertThat(changed.json().get("roles")).extracting(JsonNode::asText).containsExactly("member", "tenant_admin");
    assertThat(changed.json().get("version").asLong()).isEqualTo(dana.get("version").asLong() + 1);
    assertThat(admin.get(users() + "/" + id).json()).isEqualTo(changed.json());

    assertThat(admin.delete(users() + "/" + id).status()).isEqualTo(204);
    Answer gone = admin.get(users() + "/" + id);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.errorCode()).isEqualTo("not_found");
    assertThat(admin.delete(users() + "/" + id).status()).isEqualTo(404);
  }

  @Test
  void aDuplicateEmailIsAConflictAndChangesNothing() {
    Answer taken = admin.post(users(), Map.of("email", "alice@acme.test", "displayName", "Other Alice",
        "password", "correct-horse-battery"));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.errorCode()).isEqualTo("email_taken");
    // Addresses are unique across tenants (sign-in takes only an address).
    Answer acrossTenants = admin.post(users(), Map.of("email", "bob@globex.test", "displayName", "Bob Two",
        "password", "correct-horse-battery"));
    assertThat(acrossTenants.status()).isEqualTo(409);
    assertThat(admin.get(users() + "?q=Other%20Alice").json().get("total").asLong()).isZero();
  }

  @Test
  void anUnknownRoleRollsTheWholeCreationBack() {
    Answer refused = admin.post(users(), Map.of("email", "eve@acme.test", "displayName", "Eve",
        "password", "correct-horse-battery", "roles", List.of("member", "wizard")));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.errorCode()).isEqualTo("unknown_role");
    assertThat(admin.get(users() + "?q=eve%40acme").json().get("total").asLong()).isZero();
  }

  @Test
  void listsFilterSortAndPage() {
    String tag = "lst" + UUID.randomUUID().toString().substring(0, 6);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(create(tag + i + "@acme.test", "Lister " + (char) ('E' - i), i == 0 ? List.of("tenant_admin") : List.of("member"))
          .get("id").asText());
    }
    admin.patch(users() + "/" + ids.get(4), Map.of("status", "suspended"));

    JsonNode all = admin.get(users() + "?q=" + tag + "&sort=createdAt").json();
    assertThat(all.get("total").asLong()).isEqualTo(5);
    assertThat(all.get("items")).extracting(u -> u.get("id").asText()).containsExactlyElementsOf(ids);

    JsonNode byName = admin.get(users() + "?q=" + tag + "&sort=displayName").json();
    assertThat(byName.get("items")).extracting(u -> u.get("displayName").asText())
        .containsExactly("Lister A", "Lister B", "Lister C", "Lister D", "Lister E");
    JsonNode newestFirst = admin.get(users() + "?q=" + tag + "&sort=-createdAt").json();
    assertThat(newestFirst.get("items").get(0).get("id").asText()).isEqualTo(ids.get(4));

    JsonNode page2 = admin.get(users() + "?q=" + tag + "&sort=email&size=2&page=2").json();
    assertThat(page2.get("items")).extracting(u -> u.get("email").asText())
        .containsExactly(tag + "2@acme.test", tag + "3@acme.test");
    assertThat(page2.get("total").asLong()).isEqualTo(5);
    assertThat(page2.get("totalPages").asLong()).isEqualTo(3);
    assertThat(page2.get("page").asInt()).isEqualTo(2);
    assertThat(admin.get(users() + "?q=" + tag + "&page=9").json().get("items")).isEmpty();

    assertThat(admin.get(users() + "?q=" + tag + "&role=tenant_admin").json().get("items"))
        .extracting(u -> u.get("id").asText()).containsExactly(ids.get(0));
    assertThat(admin.get(users() + "?q=" + tag + "&status=suspended").json().get("items"))
        .extracting(u -> u.get("id").asText()).containsExactly(ids.get(4));
    // Search is case-insensitive over the display name too, and LIKE wildcards are literal.
    assertThat(admin.get(users() + "?q=LISTER%20c").json().get("total").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(admin.get(users() + "?q=" + tag + "%25").json().get("total").asLong()).isZero();

    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    String tomorrow = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1).toString();
    assertThat(admin.get(users() + "?q=" + tag + "&createdFrom=" + today + "&createdTo=" + today).json()
        .get("total").asLong()).isEqualTo(5);
    assertThat(admin.get(users() + "?q=" + tag + "&createdFrom=" + tomorrow).json().get("total").asLong()).isZero();
  }

  @Test
  void listItemsCarryRoles() {
    JsonNode acme = admin.get(users() + "?q=%40acme.test&sort=email&size=100").json();
    JsonNode adminUser = null;
    for (JsonNode user : acme.get("items")) {
      if (user.get("email").asText().equals("admin@acme.test")) {
        adminUser = user;
      }
      assertThat(user.get("tenantId").asText()).isEqualTo(admin.tenantId().toString());
    }
    assertThat(adminUser).isNotNull();
    assertThat(adminUser.get("roles")).extracting(JsonNode::asText).containsExactly("tenant_admin");
  }

  @Test
  void readsAreServedFromTheCacheUntilAChangeInvalidatesThem() {
    JsonNode user = create("cached" + UUID.randomUUID().toString().substring(0, 6) + "@acme.test", "Cached Carl",
        List.of("member"));
    String path = users() + "/" + user.get("id").asText();
    String list = users() + "?q=" + user.get("email").asText().replace("@", "%40");
    assertThat(admin.get(path).json().get("displayName").asText()).isEqualTo("Cached Carl");
    assertThat(admin.get(list).json().get("items").get(0).get("displayName").asText()).isEqualTo("Cached Carl");

    // Behind the API's back: the cache does not know, so reads keep answering from it, not PostgreSQL.
    stack.server().database().update("UPDATE users SET display_name = 'Sneaky Sam' WHERE id = ?",
        UUID.fromString(user.get("id").asText()));
    assertThat(admin.get(path).json().get("displayName").asText()).isEqualTo("Cached Carl");
    assertThat(admin.get(list).json().get("items").get(0).get("displayName").asText()).isEqualTo("Cached Carl");

    // A change through the API commits, then invalidates the user and every list of the tenant.
    assertThat(admin.patch(path, Map.of("status", "active")).status()).isEqualTo(200);
    assertThat(admin.get(path).json().get("displayName").asText()).isEqualTo("Sneaky Sam");
    assertThat(admin.get(list).json().get("items").get(0).get("displayName").asText()).isEqualTo("Sneaky Sam");
  }

  @Test
  void etagsAnswer304UntilTheUserChanges() {
    JsonNode user = create("etag" + UUID.randomUUID().toString().substring(0, 6) + "@acme.test", "Etag Ed",
        List.of("member"));
    String path = users() + "/" + user.get("id").asText();
    Answer first = admin.get(path);
    String etag = first.header("ETag");
    assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");
    assertThat(first.header("Cache-Control")).isEqualTo("private, no-cache");

    Answer notModified = admin.get(path, Map.of("If-None-Match", etag));
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(notModified.response().body()).isEmpty();
    assertThat(admin.get(path, Map.of("If-None-Match", "\"other\", " + etag)).status()).isEqualTo(304);

    Answer listFirst = admin.get(users() + "?size=5");
    assertThat(admin.get(users() + "?size=5", Map.of("If-None-Match", listFirst.header("ETag"))).status())
        .isEqualTo(304);

    // If-Match: a stale tag is refused and changes nothing; the current one is accepted.
    assertThat(admin.patch(path, Map.of("displayName", "Etag Eddie"), Map.of("If-Match", etag)).status())
        .isEqualTo(200);
    Answer stale = admin.patch(path, Map.of("displayName", "Lost Update"), Map.of("If-Match", etag));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.errorCode()).isEqualTo("precondition_failed");
    Answer now = admin.get(path, Map.of("If-None-Match", etag));
    assertThat(now.status()).isEqualTo(200);
    assertThat(now.json().get("displayName").asText()).isEqualTo("Etag Eddie");
    assertThat(admin.delete(path).status()).isEqualTo(204);
  }

  @Test
  void permissionsAreCheckedPerAction() {
    JsonNode user = create("perm" + UUID.randomUUID().toString().substring(0, 6) + "@acme.test", "Perm Pat",
        List.of("member"));
    String path = users() + "/" + user.get("id").asText();
    // A member reads users but changes nothing.
    assertThat(member.get(users()).status()).isEqualTo(200);
    assertThat(member.get(path).status()).isEqualTo(200);
    Answer write = member.patch(path, Map.of("displayName", "Nope"));
    assertThat(write.status()).isEqualTo(403);
    assertThat(write.errorCode()).isEqualTo("forbidden");
    assertThat(member.delete(path).status()).isEqualTo(403);
    assertThat(member.post(users(), Map.of("email", "x@acme.test", "displayName", "X", "password", "correct-horse-battery"))
        .status()).isEqualTo(403);
    assertThat(admin.get(path).json().get("displayName").asText()).isEqualTo("Perm Pat");
    // Nobody suspends or deletes themselves.
    assertThat(admin.delete(users() + "/" + admin.userId()).errorCode()).isEqualTo("cannot_delete_self");
    assertThat(admin.patch(users() + "/" + admin.userId(), Map.of("status", "suspended")).errorCode())
        .isEqualTo("cannot_suspend_self");
  }

  @Test
  void permissionsOfOneselfAndOfOthersInTheTenant() {
    Answer own = member.get("/api/v1/users/" + member.userId() + "/permissions");
    assertThat(own.status()).isEqualTo(200);
    assertThat(own.json().get("roles")).extracting(JsonNode::asText).containsExactly("member");
    assertThat(own.json().get("permissions")).extracting(JsonNode::asText)
        .containsExactly("roles:read", "tenants:read", "users:read");

    Answer adminsByMember = member.get("/api/v1/users/" + admin.userId() + "/permissions");
    assertThat(adminsByMember.status()).isEqualTo(200);
    assertThat(adminsByMember.json().get("permissions")).extracting(JsonNode::asText).contains("users:delete");

    // Another tenant's user does not exist from here.
    Answer foreign = admin.get("/api/v1/users/" + globexAdmin.userId() + "/permissions");
    assertThat(foreign.status()).isEqualTo(404);
  }

  @Test
  void anotherTenantsDataIsNotFound() {
    String globexUsers = "/api/v1/tenants/" + globexAdmin.tenantId() + "/users";
    assertThat(admin.get(globexUsers).status()).isEqualTo(404);
    assertThat(admin.get(globexUsers + "/" + globexAdmin.userId()).status()).isEqualTo(404);
    assertThat(admin.get(users() + "/" + globexAdmin.userId()).status()).isEqualTo(404);
    assertThat(admin.patch(users() + "/" + globexAdmin.userId(), Map.of("displayName", "Hijacked")).status())
        .isEqualTo(404);
    assertThat(admin.delete(globexUsers + "/" + globexAdmin.userId()).status()).isEqualTo(404);
    assertThat(globexAdmin.get(globexUsers + "/" + globexAdmin.userId()).json().get("displayName").asText())
        .isEqualTo("Globex Admin");
  }

  @Test
  void badInputIsA400WithAJsonErrorNeverA500() {
    String user = users() + "/" + member.userId();
    assertThat(admin.get("/api/v1/tenants/not-a-uuid/users").errorCode()).isEqualTo("invalid_id");
    assertThat(admin.get(users() + "/123").errorCode()).isEqualTo("invalid_id");
    assertThat(admin.get("/api/v1/users/nope/permissions").errorCode()).isEqualTo("invalid_id");
    for (String query : List.of("?sort=password_hash", "?sort=createdAt;DROP", "?size=0", "?size=101", "?page=0",
        "?page=x", "?status=deleted", "?role=Bad-Role", "?createdFrom=yesterday", "?createdFrom=2026-02-30",
        "?createdFrom=2026-02-02&createdTo=2026-02-01", "?stauts=active", "?size=1&size=2")) {
      Answer answer = admin.get(users() + query);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.errorCode()).as(query).isIn("invalid_parameter", "unknown_parameter");
    }
    Answer unknownField = admin.patch(user, Map.of("displayName", "X", "isAdmin", true));
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.errorCode()).isEqualTo("unknown_field");
    assertThat(admin.patch(user, "{\"displayName\":").errorCode()).isEqualTo("malformed_json");
    assertThat(admin.patch(user, "{}").errorCode()).isEqualTo("invalid_field");
    assertThat(admin.patch(user, Map.of("status", "gone")).errorCode()).isEqualTo("invalid_field");
    assertThat(admin.patch(user, Map.of("roles", "member")).errorCode()).isEqualTo("invalid_field");
    assertThat(admin.post(users(), Map.of("email", "no-at-sign", "displayName", "X", "password", "correct-horse-battery"))
        .errorCode()).isEqualTo("invalid_field");
    assertThat(admin.post(users(), Map.of("email", "short@acme.test", "displayName", "X", "password", "short"))
        .errorCode()).isEqualTo("invalid_field");
    Answer oversize = admin.patch(user, Map.of("displayName", "x".repeat(100_000)));
    assertThat(oversize.status()).isEqualTo(413);
    assertThat(oversize.errorCode()).isEqualTo("body_too_large");
    assertThat(admin.get(user).json().get("displayName").asText()).isEqualTo("Alice Anderson");
  }
}
