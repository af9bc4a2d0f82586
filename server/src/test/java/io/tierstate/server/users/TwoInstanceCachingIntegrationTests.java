package io.tierstate.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.TierstateServer;
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
 * Two instances sharing one PostgreSQL and one Redis: a change committed on A is what B answers on
 * its very next read, though B had the old state cached in its L1 and in Redis.
 */
class TwoInstanceCachingIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServers(2);
  private static TierstateServer a;
  private static TierstateServer b;
  private static ApiClient adminOnA;
  private static ApiClient adminOnB;

  @BeforeAll
  static void start() {
    a = stack.server(0);
    b = stack.server(1);
    adminOnA = TestStack.signedIn(a, "admin@acme.test");
    adminOnB = adminOnA.on(b.baseUrl());
  }

  private static String users() {
    return "/api/v1/tenants/" + adminOnA.tenantId() + "/users";
  }

  private static JsonNode create(String prefix, List<String> roles) {
    String email = prefix + UUID.randomUUID().toString().substring(0, 8) + "@acme.test";
    Answer created = adminOnA.post(users(), Map.of("email", email, "displayName", "Two Node " + prefix,
        "password", "correct-horse-battery", "roles", roles));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json();
  }

  @Test
  void aPatchOnAIsWhatBAnswersAtOnce() {
    JsonNode user = create("patch", List.of("member"));
    String path = users() + "/" + user.get("id").asText();
    String list = users() + "?q=" + user.get("email").asText().replace("@", "%40");
    // B caches the detail and the list page, and gets their ETags.
    Answer detailOnB = adminOnB.get(path);
    assertThat(detailOnB.json().get("displayName").asText()).isEqualTo("Two Node patch");
    Answer listOnB = adminOnB.get(list);
    assertThat(listOnB.json().get("items").get(0).get("displayName").asText()).isEqualTo("Two Node patch");
    assertThat(adminOnB.get(path).json()).isEqualTo(detailOnB.json());

    Answer patched = adminOnA.patch(path, Map.of("displayName", "Renamed On A"));
    assertThat(patched.status()).isEqualTo(200);

    // No waiting: the invalidation is in Redis before A answers, and B's L1 copy is fenced off.
    Answer detailAfter = adminOnB.get(path, Map.of("If-None-Match", detailOnB.header("ETag")));
    assertThat(detailAfter.status()).isEqualTo(200);
    assertThat(detailAfter.json().get("displayName").asText()).isEqualTo("Renamed On A");
    assertThat(detailAfter.header("ETag")).isEqualTo(patched.header("ETag"));
    assertThat(adminOnB.get(list).json().get("items").get(0).get("displayName").asText()).isEqualTo("Renamed On A");

    assertThat(adminOnB.delete(path).status()).isEqualTo(204);
    assertThat(adminOnA.get(path).status()).isEqualTo(404);
    assertThat(adminOnA.get(list).json().get("total").asLong()).isZero();
  }

  @Test
  void whatOneInstanceCachedTheOtherServesFromRedisWithTheSameEtag() {
    JsonNode user = create("shared", List.of("member"));
    String path = users() + "/" + user.get("id").asText();
    Answer onA = adminOnA.get(path);
    // Behind the API's back: B can only still answer the old name if it got A's entry from Redis.
    a.database().update("UPDATE users SET display_name = 'Changed Behind' WHERE id = ?",
        UUID.fromString(user.get("id").asText()));
    Answer onB = adminOnB.get(path);
    assertThat(onB.json()).isEqualTo(onA.json());
    assertThat(onB.header("ETag")).isEqualTo(onA.header("ETag"));
    assertThat(adminOnB.get(path, Map.of("If-None-Match", onA.header("ETag"))).status()).isEqualTo(304);
    assertThat(adminOnB.delete(path).status()).isEqualTo(204);
  }

  @Test
  void aRoleChangeOnAChangesPermissionsOnBAtOnce() {
    JsonNode user = create("role", List.of("member"));
    String email = user.get("email").asText();
    ApiClient userOnB = TestStack.client(b);
    userOnB.login(email, "correct-horse-battery");
    String someone = users() + "/" + userOnB.userId();
    // As a member on B: may read, may not write; B now has the user's access cached.
    assertThat(userOnB.get("/api/v1/users/" + userOnB.userId() + "/permissions").json().get("permissions"))
        .extracting(JsonNode::asText).doesNotContain("users:write");
    assertThat(userOnB.patch(someone, Map.of("displayName", "Self Service")).status()).isEqualTo(403);

    assertThat(adminOnA.patch(someone, Map.of("roles", List.of("tenant_admin"))).status()).isEqualTo(200);

    assertThat(userOnB.get("/api/v1/users/" + userOnB.userId() + "/permissions").json().get("permissions"))
        .extracting(JsonNode::asText).contains("users:write", "users:delete", "roles:assign");
    assertThat(userOnB.patch(someone, Map.of("displayName", "Self Service")).status()).isEqualTo(200);

    // And back: the right is gone on B at once.
    assertThat(adminOnA.patch(someone, Map.of("roles", List.of("member"))).status()).isEqualTo(200);
    assertThat(userOnB.patch(someone, Map.of("displayName", "Not Any More")).status()).isEqualTo(403);
  }

  @Test
  void aSuspensionOrDeletionOnAEndsTheUsersSessionsEverywhere() {
    JsonNode user = create("susp", List.of("member"));
    ApiClient userOnB = TestStack.client(b);
    userOnB.login(user.get("email").asText(), "correct-horse-battery");
    assertThat(userOnB.get(users()).status()).isEqualTo(200);

    assertThat(adminOnA.patch(users() + "/" + userOnB.userId(), Map.of("status", "suspended")).status()).isEqualTo(200);
    Answer refused = userOnB.get(users());
    assertThat(refused.status()).isIn(401, 403);
    assertThat(userOnB.post("/api/v1/auth/refresh", "").status()).isEqualTo(401);
  }
}
