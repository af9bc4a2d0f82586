package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.cache.CacheOptions;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OpsIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  @Test
  void healthReportsEveryCheckIncludingTheDatabase() throws Exception {
    Answer health = stack.client().get("/health");
    assertThat(health.status()).isEqualTo(200);
    JsonNode body = JSON.readTree(health.body());
    assertThat(body.at("/status").asText()).isEqualTo("HEALTHY");
    assertThat(body.at("/checks").findValuesAsText("name")).contains("redis.ping", "database");

    JsonNode cache = JSON.readTree(stack.client().get("/health/cache").body());
    assertThat(cache.at("/status").asText()).isEqualTo("HEALTHY");
    assertThat(cache.at("/checks").findValuesAsText("name")).contains("redis.ping").doesNotContain("database");
  }

  @Test
  void metricsExposeHttpCacheSessionRateLimitAndJvmMeters() {
    ApiClient browser = stack.client();
    browser.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    browser.get("/api/v1/auth/session");

    Answer metrics = browser.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    assertThat(metrics.body()).contains(
        "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/v1/auth/login\"}",
        "tierstate_cache_requests",
        "tierstate_sessions_started",
        "tierstate_ratelimit_decisions",
        "jvm_memory_used_bytes",
        "jvm_threads_live_threads",
        "hikaricp_connections",
        "tierstate_server_logins_total{result=\"success\"}");
  }

  @Test
  void cacheMetricsAreJson() throws Exception {
    JsonNode snapshot = JSON.readTree(stack.client().get("/metrics/cache").body());
    assertThat(snapshot.has("hitRate")).isTrue();
    assertThat(snapshot.has("l1Size")).isTrue();
  }

  @Test
  void theDashboardNeedsCacheAdmin() throws Exception {
    ApiClient member = stack.client();
    member.attemptLogin("carol@acme.test", TestStack.PASSWORD);
    Answer refused = member.get("/admin/cache-dashboard");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("forbidden");
    assertThat(stack.client().get("/admin/cache-dashboard").status()).isEqualTo(401);

    ApiClient admin = stack.client();
    admin.attemptLogin("admin@acme.test", TestStack.PASSWORD);
    Answer dashboard = admin.get("/admin/cache-dashboard");
    assertThat(dashboard.status()).isEqualTo(200);
    JsonNode body = JSON.readTree(dashboard.body());
    assertThat(body.at("/hitRates").has("l1")).isTrue();
    assertThat(body.at("/l1Size").isNumber()).isTrue();
    assertThat(body.at("/sessions/liveInTenant").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(body.at("/health/status").asText()).isEqualTo("HEALTHY");
    assertThat(body.at("/latencyP95Millis").isObject()).isTrue();
  }

  @Test
  void tenantAdminsInvalidateOnlyTheirOwnTenantsKeys() throws Exception {
    ApiClient admin = stack.client();
    JsonNode me = JSON.readTree(admin.attemptLogin("admin@acme.test", TestStack.PASSWORD).body());
    String acme = "tenant:" + me.at("/tenant/id").asText() + ":";
    ApiClient globexAdmin = stack.client();
    String globex = "tenant:" + JSON.readTree(globexAdmin.attemptLogin("admin@globex.test", TestStack.PASSWORD)
        .body()).at("/tenant/id").asText() + ":";
    var cache = stack.server().tierstate().cache();
    CacheOptions options = CacheOptions.ttl(Duration.ofMinutes(5)).tags(acme + "reports");
    cache.set(acme + "report:1", "one", options);
    cache.set(acme + "report:2", "two", options);
    cache.set(acme + "widget:1", "w", CacheOptions.ttl(Duration.ofMinutes(5)));
    cache.set(globex + "report:1", "theirs", CacheOptions.ttl(Duration.ofMinutes(5)));

    Answer foreign = admin.post("/admin/cache/invalidate", "{\"keys\":[\"" + globex + "report:1\"]}");
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(admin.post("/admin/cache/invalidate", "{\"pattern\":\"tenant:*\"}").status()).isEqualTo(403);
    assertThat(admin.post("/admin/cache/invalidate", "{\"tags\":[\"reports\"]}").status()).isEqualTo(403);
    assertThat(cache.get(globex + "report:1", String.class)).hasValue("theirs");

    Answer byTag = admin.post("/admin/cache/invalidate", "{\"tags\":[\"" + acme + "reports\"]}");
    assertThat(byTag.status()).as(byTag.body()).isEqualTo(200);
    assertThat(cache.get(acme + "report:1", String.class)).isEmpty();
    assertThat(cache.get(acme + "report:2", String.class)).isEmpty();
    assertThat(cache.get(acme + "widget:1", String.class)).hasValue("w");

    Answer byPattern = admin.post("/admin/cache/invalidate", "{\"pattern\":\"" + acme + "widget:*\"}");
    assertThat(byPattern.status()).isEqualTo(200);
    assertThat(cache.get(acme + "widget:1", String.class)).isEmpty();
    assertThat(cache.get(globex + "report:1", String.class)).hasValue("theirs");

    ApiClient member = stack.client();
    member.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    assertThat(member.post("/admin/cache/invalidate", "{\"keys\":[\"" + acme + "x\"]}").status()).isEqualTo(403);
  }

  @Test
  void invalidationCountsTheEntriesItRemovedAndPlatformAdminsReachAnyTenant() throws Exception {
    ApiClient admin = stack.client();
    String acme = "tenant:" + JSON.readTree(admin.attemptLogin("admin@acme.test", TestStack.PASSWORD).body())
        .at("/tenant/id").asText() + ":";
    ApiClient root = stack.client();
    root.attemptLogin("root@tierstate.test", TestStack.PASSWORD);
    var cache = stack.server().tierstate().cache();
    cache.set(acme + "count:1", "one", CacheOptions.ttl(Duration.ofMinutes(5)));
    cache.set(acme + "count:2", "two", CacheOptions.ttl(Duration.ofMinutes(5)));

    Answer byKeys = admin.post("/admin/cache/invalidate",
        "{\"keys\":[\"" + acme + "count:1\",\"" + acme + "count:2\",\"" + acme + "count:never\"]}");
    assertThat(byKeys.status()).as(byKeys.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(byKeys.body());
    assertThat(body.at("/invalidated/keys").asInt()).isEqualTo(3);
    assertThat(body.at("/invalidated/keyEntries").asInt()).isEqualTo(2);
    assertThat(body.path("removed").asInt()).as("the key nobody cached is not counted").isEqualTo(2);

    // "platform administrators: any": another tenant's keys and patterns, which a tenant admin cannot reach
    cache.set("tenant:other:thing", "x", CacheOptions.ttl(Duration.ofMinutes(5)));
    Answer any = root.post("/admin/cache/invalidate", "{\"pattern\":\"tenant:other:*\"}");
    assertThat(any.status()).as(any.body()).isEqualTo(200);
    assertThat(JSON.readTree(any.body()).path("removed").asInt()).isEqualTo(1);
    assertThat(cache.get("tenant:other:thing", String.class)).isEmpty();
  }

  @Test
  void theKeyInspectorShowsATenantsKeyOnBothTiersAndRefusesOtherTenantsAndBadKeys() throws Exception {
    ApiClient admin = stack.client();
    String acme = "tenant:" + JSON.readTree(admin.attemptLogin("admin@acme.test", TestStack.PASSWORD).body())
        .at("/tenant/id").asText() + ":";
    var cache = stack.server().tierstate().cache();
    cache.set(acme + "inspect:1", "x".repeat(3000),
        CacheOptions.ttl(Duration.ofMinutes(5)).tags(acme + "inspected").compress());

    Answer found = admin.get("/admin/cache/inspect?key=" + acme + "inspect:1");
    assertThat(found.status()).as(found.body()).isEqualTo(200);
    assertThat(found.header("Cache-Control")).isEqualTo("no-store");
    JsonNode entry = JSON.readTree(found.body());
    assertThat(entry.path("cached").asBoolean()).isTrue();
    assertThat(entry.path("inL1").asBoolean()).isTrue();
    assertThat(entry.path("inL2").asBoolean()).isTrue();
    assertThat(entry.path("compressed").asBoolean()).isTrue();
    assertThat(entry.path("ttlMillis").asLong()).isBetween(1L, Duration.ofMinutes(5).toMillis());
    assertThat(entry.path("sizeBytes").asLong()).isPositive();
    assertThat(entry.path("tags").get(0).asText()).isEqualTo(acme + "inspected");
    assertThat(entry.has("region")).as("region is always answered").isTrue();
    assertThat(entry.path("region").isNull()).as("an entry of no region").isTrue();
    cache.set(acme + "inspect:2", "y", CacheOptions.ttl(Duration.ofMinutes(5)).region("users"));
    JsonNode inRegion = JSON.readTree(admin.get("/admin/cache/inspect?key=" + acme + "inspect:2").body());
    assertThat(inRegion.path("region").asText()).isEqualTo("users");

    admin.post("/admin/cache/invalidate", "{\"keys\":[\"" + acme + "inspect:1\"]}");
    JsonNode gone = JSON.readTree(admin.get("/admin/cache/inspect?key=" + acme + "inspect:1").body());
    assertThat(gone.path("cached").asBoolean()).isFalse();
    assertThat(gone.path("ttlMillis").isNull()).isTrue();

    Answer foreign = admin.get("/admin/cache/inspect?key=tenant:other:inspect:1");
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(JSON.readTree(foreign.body()).at("/error/code").asText()).isEqualTo("tenant_scope");
    for (String query : new String[] {"", "?key=", "?key=" + acme + "has%20space", "?kye=x"}) {
      Answer bad = admin.get("/admin/cache/inspect" + query);
      assertThat(bad.status()).as(query + " " + bad.body()).isEqualTo(400);
      assertThat(JSON.readTree(bad.body()).at("/error/message").asText()).as(query).isNotBlank();
    }
    ApiClient member = stack.client();
    member.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    assertThat(member.get("/admin/cache/inspect?key=" + acme + "inspect:1").status()).isEqualTo(403);
  }
}
