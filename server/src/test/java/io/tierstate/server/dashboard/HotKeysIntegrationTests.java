package io.tierstate.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.TieredCache;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /api/v1/dashboard/hotkeys} on two instances: each lists the keys its cache reads most
 * (its own now, the other's from its heartbeat) and the merged list; a tenant's cache admin sees
 * only its tenant's keys, a platform administrator every key, anyone else a 403.
 */
class HotKeysIntegrationTests {
  @RegisterExtension static final TestStack stack = TestStack.withServers(2);

  // With the default sampling (one read in 256), 20,000 reads give about 80 sampled ones.
  private static final int READS = 20_000;
  private static String acmeKey;
  private static final String OTHER_TENANT_KEY = "tenant:another-tenant:report:hot";

  @BeforeAll
  static void readTwoKeysOftenOnInstanceAAndOneOnInstanceB() {
    ApiClient admin = TestStack.signedIn(stack.server(0), "admin@acme.test");
    String tenant = admin.get("/api/v1/auth/session").json().path("tenant").path("id").asText();
    acmeKey = "tenant:" + tenant + ":report:hot";
    TieredCache a = stack.server(0).tierstate().cache();
    TieredCache b = stack.server(1).tierstate().cache();
    a.set(acmeKey, "acme's report", CacheOptions.ttl(Duration.ofMinutes(5)));
    a.set(OTHER_TENANT_KEY, "another tenant's report", CacheOptions.ttl(Duration.ofMinutes(5)));
    for (int i = 0; i < READS; i++) {
      assertThat(a.get(acmeKey, String.class)).isPresent();
      assertThat(a.get(OTHER_TENANT_KEY, String.class)).isPresent();
      assertThat(b.get(acmeKey, String.class)).isPresent(); // from Redis once, then from B's L1
    }
  }

  @Test
  void onlyCacheAdminsAndPlatformAdminsMayReadItAndItTakesNoParameters() {
    assertThat(stack.client().get("/api/v1/dashboard/hotkeys").status()).isEqualTo(401);
    Answer member =
        TestStack.signedIn(stack.server(0), "alice@acme.test").get("/api/v1/dashboard/hotkeys");
    assertThat(member.status()).as(member.toString()).isEqualTo(403);
    assertThat(member.json().path("error").path("message").asText()).contains("cache:admin");
    Answer unknown =
        TestStack.signedIn(stack.server(0), "admin@acme.test").get("/api/v1/dashboard/hotkeys?top=5");
    assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
    assertThat(unknown.json().path("error").path("message").asText()).contains("top");
  }

  @Test
  void aTenantsCacheAdminSeesItsOwnHotKeysOnEveryNodeAndMergedButNoOtherTenants() {
    ApiClient admin = TestStack.signedIn(stack.server(0), "admin@acme.test");
    String nodeB = stack.server(1).tierstate().nodeId();
    // B's list arrives with its next heartbeat (every 5 s).
    JsonNode body =
        Await.until(
            () -> hotKeys(admin),
            b -> rate(node(b, nodeB).path("hotKeys"), acmeKey) > 0,
            Duration.ofSeconds(20));

    assertThat(body.path("scope").asText()).isEqualTo("tenant");
    assertThat(body.path("nodesListed").asBoolean()).isTrue();
    assertThat(body.path("sampling").asInt()).isEqualTo(256);
    assertThat(body.path("halfLifeSeconds").asDouble()).isEqualTo(10.0);
    String prefix = acmeKey.substring(0, acmeKey.indexOf(":report:") + 1);
    assertThat(allKeys(body)).isNotEmpty().allMatch(key -> key.startsWith(prefix));

    JsonNode self = body.path("nodes").get(0);
    assertThat(self.path("id").asText()).isEqualTo(stack.server(0).tierstate().nodeId());
    assertThat(self.path("self").asBoolean()).isTrue();
    assertThat(self.path("hotKeys").get(0).path("key").asText())
        .as("the key read 20,000 times leads this node's list")
        .isEqualTo(acmeKey);
    double onA = rate(self.path("hotKeys"), acmeKey);
    double onB = rate(node(body, nodeB).path("hotKeys"), acmeKey);
    assertThat(onA).isPositive();
    assertThat(node(body, nodeB).path("self").asBoolean()).isFalse();

    JsonNode merged = body.path("merged");
    assertThat(merged.get(0).path("key").asText()).isEqualTo(acmeKey);
    assertThat(merged.get(0).path("nodes").asInt()).isEqualTo(2);
    assertThat(merged.get(0).path("readsPerSecond").asDouble())
        .as("A's rate plus B's")
        .isBetween(onA + onB - 0.2, onA + onB + 0.2);
  }

  @Test
  void aPlatformAdminSeesEveryTenantsHotKeys() {
    ApiClient root = TestStack.signedIn(stack.server(0), "root@tierstate.test");
    JsonNode body = hotKeys(root);
    assertThat(body.path("scope").asText()).isEqualTo("service");
    List<String> keys = new ArrayList<>();
    body.path("nodes").get(0).path("hotKeys").forEach(h -> keys.add(h.path("key").asText()));
    assertThat(keys.subList(0, 2)).containsExactlyInAnyOrder(acmeKey, OTHER_TENANT_KEY);
    List<String> merged = new ArrayList<>();
    body.path("merged").forEach(h -> merged.add(h.path("key").asText()));
    assertThat(merged).contains(acmeKey, OTHER_TENANT_KEY).hasSizeLessThanOrEqualTo(20);
  }

  private static JsonNode hotKeys(ApiClient client) {
    Answer answer = client.get("/api/v1/dashboard/hotkeys");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
    return answer.json();
  }

  /** The node's entry, or a missing node (whose paths are missing too) if it is not listed. */
  private static JsonNode node(JsonNode body, String id) {
    for (JsonNode node : body.path("nodes")) {
      if (node.path("id").asText().equals(id)) {
        return node;
      }
    }
    return MissingNode.getInstance();
  }

  private static double rate(JsonNode hotKeys, String key) {
    for (JsonNode hot : hotKeys) {
      if (hot.path("key").asText().equals(key)) {
        return hot.path("readsPerSecond").asDouble();
      }
    }
    return 0;
  }

  private static List<String> allKeys(JsonNode body) {
    List<String> keys = new ArrayList<>();
    body.path("merged").forEach(h -> keys.add(h.path("key").asText()));
    body.path("nodes").forEach(n -> n.path("hotKeys").forEach(h -> keys.add(h.path("key").asText())));
    return keys;
  }
}
