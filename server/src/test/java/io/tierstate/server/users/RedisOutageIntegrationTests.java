package io.tierstate.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis stopped mid-test: user reads keep answering from PostgreSQL (and follow its changes
 * within the short degraded L1 lifetime), changes are refused cleanly, and everything recovers
 * when Redis returns.
 */
class RedisOutageIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  @Test
  void readsKeepAnsweringFromPostgresWhileRedisIsDownAndRecoverAfterwards() {
    ApiClient admin = TestStack.signedIn(stack.server(), "admin@acme.test");
    String users = "/api/v1/tenants/" + admin.tenantId() + "/users";
    Answer created = admin.post(users, Map.of("email", "outage" + UUID.randomUUID().toString().substring(0, 6)
        + "@acme.test", "displayName", "Outage Olga", "password", "correct-horse-battery"));
    assertThat(created.status()).isEqualTo(201);
    UUID id = UUID.fromString(created.json().get("id").asText());
    String path = users + "/" + id;
    assertThat(admin.get(path).json().get("displayName").asText()).isEqualTo("Outage Olga");

    stack.redis().stop();
    try {
      Answer list = admin.get(users + "?sort=email");
      assertThat(list.status()).as(list.toString()).isEqualTo(200);
      assertThat(list.json().get("total").asLong()).isEqualTo(4); // three demo users and Olga
      assertThat(list.json().get("items")).extracting(u -> u.get("id").asText()).contains(id.toString());
      assertThat(admin.get(path).status()).isEqualTo(200);
      // A change in PostgreSQL shows within the degraded L1 lifetime (seconds): the source of truth rules.
      stack.server().database().update("UPDATE users SET display_name = 'Olga Online' WHERE id = ?", id);
      Answer followed = Await.until(() -> admin.get(path),
          a -> a.status() == 200 && a.json().get("displayName").asText().equals("Olga Online"), Duration.ofSeconds(20));
      assertThat(followed.json().get("displayName").asText()).isEqualTo("Olga Online");
      // Changes need the session store: refused with a clear 503, nothing written.
      Answer refused = admin.patch(path, Map.of("displayName", "Not Now"));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.errorCode()).isEqualTo("session_store_unavailable");
    } finally {
      stack.redis().restart();
    }

    // Redis came back empty, so the session is gone: sign in again, and all works as before.
    ApiClient again = stack.client();
    Answer login = Await.until(() -> {
      try {
        again.login("admin@acme.test", TestStack.PASSWORD);
        return 200;
      } catch (AssertionError e) {
        return 503;
      }
    }, status -> status == 200, Duration.ofSeconds(20)) == 200 ? again.get("/api/v1/auth/session") : null;
    assertThat(login).isNotNull();
    Answer patched = Await.until(() -> again.patch(path, Map.of("displayName", "Olga Again")), a -> a.status() == 200,
        Duration.ofSeconds(20));
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    assertThat(again.get(path).json().get("displayName").asText()).isEqualTo("Olga Again");
    assertThat(again.get(users + "?q=Olga%20Again").json().get("total").asLong()).isEqualTo(1);
    // And reads are cached again: a change behind the API's back is not seen until invalidated.
    stack.server().database().update("UPDATE users SET display_name = 'Olga Hidden' WHERE id = ?", id);
    assertThat(again.get(path).json().get("displayName").asText()).isEqualTo("Olga Again");
  }
}
