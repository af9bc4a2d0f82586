package io.tierstate.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's feed: who may read it, that samples arrive every interval and count the reads
 * that went through the server's caches, and that {@code since} hands over only newer samples.
 */
class DashboardIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  @Test
  void onlyCacheAdminsAndPlatformAdminsMayReadIt() {
    assertThat(stack.client().get("/api/v1/dashboard").status()).isEqualTo(401);
    Answer member = TestStack.signedIn(stack.server(), "alice@acme.test").get("/api/v1/dashboard");
    assertThat(member.status()).as(member.toString()).isEqualTo(403);
    assertThat(member.json().path("error").path("message").asText()).contains("cache:admin");

    Answer tenantAdmin = TestStack.signedIn(stack.server(), "admin@acme.test").get("/api/v1/dashboard");
    assertThat(tenantAdmin.status()).as(tenantAdmin.toString()).isEqualTo(200);
    assertThat(tenantAdmin.json().path("scope").asText()).isEqualTo("tenant");
    assertThat(tenantAdmin.header("Cache-Control")).isEqualTo("no-store");

    Answer root = TestStack.signedIn(stack.server(), "root@tierstate.test").get("/api/v1/dashboard");
    assertThat(root.status()).as(root.toString()).isEqualTo(200);
    assertThat(root.json().path("scope").asText()).isEqualTo("service");
  }

  @Test
  void badSinceIsA400NamingIt() {
    ApiClient admin = TestStack.signedIn(stack.server(), "admin@acme.test");
    for (String query : List.of("?since=-1", "?since=abc", "?since=99999999999", "?sinse=1")) {
      Answer answer = admin.get("/api/v1/dashboard" + query);
      assertThat(answer.status()).as(query + " " + answer).isEqualTo(400);
      assertThat(answer.json().path("error").path("message").asText()).as(query).containsAnyOf("since", "sinse");
    }
  }

  @Test
  void samplesArriveEveryIntervalWithTheHealthAndCountTheReads() throws InterruptedException {
    ApiClient admin = TestStack.signedIn(stack.server(), "admin@acme.test");
    JsonNode first = admin.get("/api/v1/dashboard").json();
    JsonNode health = first.path("health");
    assertThat(health.path("status").asText()).isIn("HEALTHY", "DEGRADED");
    List<String> checks = new ArrayList<>();
    health.path("checks").forEach(c -> checks.add(c.path("name").asText()));
    assertThat(checks).contains("redis.ping", "database");
    long last = lastSeq(first);

    // Traffic through the users API: reads of the tenant's user list go through L1, L2 and the database.
    String tenant = admin.get("/api/v1/auth/session").json().path("tenant").path("id").asText();
    long deadline = System.currentTimeMillis() + 10_000;
    long l1Reads = 0;
    long httpCount = 0;
    JsonNode newer = null;
    while (System.currentTimeMillis() < deadline && (l1Reads == 0 || httpCount == 0)) {
      for (int i = 0; i < 20; i++) {
        assertThat(admin.get("/api/v1/tenants/" + tenant + "/users").status()).isEqualTo(200);
      }
      Thread.sleep(DashboardSampler.INTERVAL.toMillis());
      newer = admin.get("/api/v1/dashboard?since=" + last).json();
      for (JsonNode sample : newer.path("samples")) {
        assertThat(sample.path("seq").asLong()).isGreaterThan(last);
        l1Reads += sample.path("reads").path("l1").asLong() + sample.path("reads").path("l2").asLong();
        httpCount += sample.path("http").path("tenants").path("count").asLong();
      }
      last = Math.max(last, lastSeq(newer));
    }
    assertThat(l1Reads).as("cache hits counted in the samples").isPositive();
    assertThat(httpCount).as("requests of the 'tenants' route group").isPositive();
    JsonNode sample = newer.path("samples").get(newer.path("samples").size() - 1);
    assertThat(sample.path("http").path("tenants").path("p99").asDouble()).isPositive();
    assertThat(sample.path("redis").path("breaker").asText()).isEqualTo("CLOSED");
    assertThat(sample.path("health").asText()).isIn("HEALTHY", "DEGRADED");
    // Nothing newer than the newest: an empty list, not the whole buffer again.
    assertThat(admin.get("/api/v1/dashboard?since=" + last + 1000).json().path("samples").size()).isZero();
  }

  @Test
  void theNodesListThisNodeLiveForAdminsOnly() {
    assertThat(stack.client().get("/api/v1/dashboard/nodes").status()).isEqualTo(401);
    Answer member = TestStack.signedIn(stack.server(), "alice@acme.test").get("/api/v1/dashboard/nodes");
    assertThat(member.status()).as(member.toString()).isEqualTo(403);

    for (String admin : List.of("admin@acme.test", "root@tierstate.test")) {
      Answer answer = TestStack.signedIn(stack.server(), admin).get("/api/v1/dashboard/nodes");
      assertThat(answer.status()).as(admin + " " + answer).isEqualTo(200);
      assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
      String self = answer.json().path("node").asText();
      JsonNode node = null;
      for (JsonNode n : answer.json().path("nodes")) {
        if (n.path("id").asText().equals(self)) {
          node = n;
        }
      }
      assertThat(node).as("this node in %s", answer).isNotNull();
      assertThat(node.path("status").asText()).isEqualTo("LIVE");
      assertThat(node.path("host").asText()).isNotBlank();
      assertThat(node.path("uptimeSeconds").isIntegralNumber()).isTrue();
      assertThat(node.path("l1Size").asLong()).isNotNegative();
      assertThat(node.path("invalidationLagMillis").isIntegralNumber()).isTrue();
      assertThat(java.time.Instant.parse(node.path("lastHeartbeat").asText())).isBeforeOrEqualTo(java.time.Instant.now());
    }
    Answer unknown = TestStack.signedIn(stack.server(), "admin@acme.test").get("/api/v1/dashboard/nodes?x=1");
    assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
  }

  private static long lastSeq(JsonNode body) {
    JsonNode samples = body.path("samples");
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).path("seq").asLong();
  }
}
