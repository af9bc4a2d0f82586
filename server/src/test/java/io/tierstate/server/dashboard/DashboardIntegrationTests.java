package io.tierstate.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.metrics.MeterNames;
import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    assertThat(sample.path("writeBehind").path("unreachableSeconds").isNumber())
        .as("the write-behind's database outage, 0 while PostgreSQL answers")
        .isTrue();
    assertThat(sample.path("writeBehind").path("unreachableSeconds").asDouble()).isZero();
    // Nothing newer than the newest: an empty list, not the whole buffer again.
    assertThat(admin.get("/api/v1/dashboard?since=" + last + 1000).json().path("samples").size()).isZero();
  }

  @Test
  void eachSampleCarriesThePropagationLagOfEveryLiveNode() {
    TierstateServer other = stack.startServer();
    ApiClient root = TestStack.signedIn(stack.server(), "root@tierstate.test");
    String self = stack.server().tierstate().nodeId();
    String otherId = other.tierstate().nodeId();
    assertThat(otherId).isNotEqualTo(self);
    // An invalidation from the other node reaches this one: this node's lag meter records it.
    other.tierstate().invalidator().invalidateKeys("lag:probe");
    Await.until("this node measured a propagation lag",
        () -> stack.server().tierstate().metrics().registry().find(MeterNames.INVALIDATION_LAG).timer() != null
            && stack.server().tierstate().metrics().registry().find(MeterNames.INVALIDATION_LAG).timer().count() > 0,
        Duration.ofSeconds(10));

    JsonNode[] lag = new JsonNode[1];
    Await.until("a sample holds both nodes' lag", () -> {
      JsonNode samples = root.get("/api/v1/dashboard").json().path("samples");
      lag[0] = samples.isEmpty() ? null : samples.get(samples.size() - 1).path("propagationLag");
      return lag[0] != null && lag[0].has(self) && lag[0].has(otherId);
    }, Duration.ofSeconds(10));
    assertThat(lag[0].path(self).isIntegralNumber()).as(lag[0].toString()).isTrue();
    assertThat(lag[0].path(self).asLong()).isNotNegative();
    assertThat(lag[0].path(otherId).asLong()).as("what the other node announced").isNotNegative();

    other.close(); // a node that stopped is no longer drawn
    Await.until("the stopped node left the samples", () -> {
      JsonNode samples = root.get("/api/v1/dashboard").json().path("samples");
      JsonNode last = samples.isEmpty() ? null : samples.get(samples.size() - 1).path("propagationLag");
      return last != null && last.has(self) && !last.has(otherId);
    }, Duration.ofSeconds(10));
  }

  @Test
  void theHealthReportIsRefreshedInTheBackgroundWhileSomeoneWatches() {
    ApiClient admin = TestStack.signedIn(stack.server(), "admin@acme.test");
    String first = admin.get("/api/v1/dashboard").json().path("health").path("checkedAt").asText();
    // Polls run no check while a report younger than HEALTH_MAX_AGE exists, so within that time
    // they could see at most one newer report of their own making: two come from the background.
    Duration within = DashboardSampler.HEALTH_MAX_AGE.minusMillis(500);
    assertThat(DashboardSampler.HEALTH_REFRESH.multipliedBy(3)).isLessThan(within);
    java.util.Set<String> seen = new java.util.HashSet<>();
    Await.until("two newer reports while polling", () -> {
      seen.add(admin.get("/api/v1/dashboard?since=999999").json().path("health").path("checkedAt").asText());
      seen.remove(first);
      return seen.size() >= 2;
    }, within);
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

  @Test
  void theRegionTableListsTheServersRegionsCountsTheirReadsAndOnlyAPlatformAdminClearsOne()
      throws InterruptedException {
    assertThat(stack.client().get("/api/v1/dashboard/regions").status()).isEqualTo(401);
    Answer member = TestStack.signedIn(stack.server(), "alice@acme.test").get("/api/v1/dashboard/regions");
    assertThat(member.status()).as(member.toString()).isEqualTo(403);
    ApiClient admin = TestStack.signedIn(stack.server(), "admin@acme.test");
    ApiClient root = TestStack.signedIn(stack.server(), "root@tierstate.test");
    Answer table = admin.get("/api/v1/dashboard/regions");
    assertThat(table.status()).as(table.toString()).isEqualTo(200);
    assertThat(table.header("Cache-Control")).isEqualTo("no-store");
    List<String> names = new ArrayList<>();
    table.json().path("regions").forEach(r -> names.add(r.path("name").asText()));
    assertThat(names).contains("users", "access", "roles", "preferences", "reference", "analytics");

    String tenant = admin.get("/api/v1/auth/session").json().path("tenant").path("id").asText();
    for (int i = 0; i < 5; i++) {
      assertThat(admin.get("/api/v1/tenants/" + tenant + "/users").status()).isEqualTo(200);
    }
    JsonNode users = region(admin, "users");
    assertThat(users.path("requests").asLong()).as(users.toString()).isGreaterThanOrEqualTo(5);
    assertThat(users.path("l1Hits").asLong()).as(users.toString()).isPositive();
    assertThat(users.path("l1HitRate").asDouble()).isBetween(0.0, 1.0);
    assertThat(users.path("l1Entries").asLong()).as(users.toString()).isPositive();
    assertThat(users.path("loadP99Millis").isNumber()).isTrue();
    assertThat(region(admin, "access").path("requests").asLong()).as("signing in reads access").isPositive();

    Answer byTenantAdmin = admin.post("/api/v1/dashboard/regions/users/clear", Map.of());
    assertThat(byTenantAdmin.status()).as(byTenantAdmin.toString()).isEqualTo(403);
    assertThat(byTenantAdmin.json().path("error").path("message").asText()).contains("platform administrator");
    Answer badName = root.post("/api/v1/dashboard/regions/bad%20name/clear", Map.of());
    assertThat(badName.status()).as(badName.toString()).isEqualTo(400);
    assertThat(badName.json().path("error").path("message").asText()).contains("region").contains("index 3");
    Answer unknown = root.post("/api/v1/dashboard/regions/nothing-here/clear", Map.of());
    assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
    assertThat(unknown.json().path("error").path("message").asText()).contains("nothing-here");

    long loadsBefore = region(admin, "users").path("loads").asLong();
    Answer cleared = root.post("/api/v1/dashboard/regions/users/clear", Map.of());
    assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
    assertThat(cleared.json().path("region").asText()).isEqualTo("users");
    assertThat(cleared.json().path("removed").asLong()).as("the user list was in Redis").isPositive();
    // L1 counts its removals on Caffeine's maintenance thread: soon after, not at once.
    Await.until("the region left L1", () -> region(admin, "users").path("l1Entries").asLong() == 0,
        Duration.ofSeconds(5));
    assertThat(region(admin, "access").path("l1Entries").asLong()).as("another region stays").isPositive();
    assertThat(admin.get("/api/v1/tenants/" + tenant + "/users").status()).isEqualTo(200);
    assertThat(region(admin, "users").path("loads").asLong()).as("read again from PostgreSQL").isGreaterThan(loadsBefore);
  }

  private static JsonNode region(ApiClient client, String name) {
    for (JsonNode r : client.get("/api/v1/dashboard/regions").json().path("regions")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no region " + name);
  }

  private static long lastSeq(JsonNode body) {
    JsonNode samples = body.path("samples");
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).path("seq").asLong();
  }
}
