package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.cache.CacheOptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpsIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestInfrastructure infra;
  private static TierstateServer server;

  @BeforeAll
  static void start() {
    infra = new TestInfrastructure();
    server = infra.startServer(Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
    infra.close();
  }

  @Test
  void healthReportsEveryCheckIncludingTheDatabase() throws Exception {
    HttpResponse<String> health = TestInfrastructure.browser(server).get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(health.body());
    assertThat(body.at("/status").asText()).isEqualTo("HEALTHY");
    assertThat(body.at("/checks").findValuesAsText("name")).contains("redis.ping", "database");

    JsonNode cache = JSON.readTree(TestInfrastructure.browser(server).get("/health/cache").body());
    assertThat(cache.at("/status").asText()).isEqualTo("HEALTHY");
    assertThat(cache.at("/checks").findValuesAsText("name")).contains("redis.ping").doesNotContain("database");
  }

  @Test
  void metricsExposeHttpCacheSessionRateLimitAndJvmMeters() {
    Browser browser = TestInfrastructure.browser(server);
    browser.login("alice@acme.test", TestInfrastructure.PASSWORD);
    browser.get("/api/v1/auth/session");

    HttpResponse<String> metrics = browser.get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
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
    JsonNode snapshot = JSON.readTree(TestInfrastructure.browser(server).get("/metrics/cache").body());
    assertThat(snapshot.has("hitRate")).isTrue();
    assertThat(snapshot.has("l1Size")).isTrue();
  }

  @Test
  void theDashboardNeedsCacheAdmin() throws Exception {
    Browser member = TestInfrastructure.browser(server);
    member.login("carol@acme.test", TestInfrastructure.PASSWORD);
    HttpResponse<String> refused = member.get("/admin/cache-dashboard");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("forbidden");
    assertThat(TestInfrastructure.browser(server).get("/admin/cache-dashboard").statusCode()).isEqualTo(401);

    Browser admin = TestInfrastructure.browser(server);
    admin.login("admin@acme.test", TestInfrastructure.PASSWORD);
    HttpResponse<String> dashboard = admin.get("/admin/cache-dashboard");
    assertThat(dashboard.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(dashboard.body());
    assertThat(body.at("/hitRates").has("l1")).isTrue();
    assertThat(body.at("/l1Size").isNumber()).isTrue();
    assertThat(body.at("/sessions/liveInTenant").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(body.at("/health/status").asText()).isEqualTo("HEALTHY");
    assertThat(body.at("/latencyP95Millis").isObject()).isTrue();
  }

  @Test
  void tenantAdminsInvalidateOnlyTheirOwnTenantsKeys() throws Exception {
    Browser admin = TestInfrastructure.browser(server);
    JsonNode me = JSON.readTree(admin.login("admin@acme.test", TestInfrastructure.PASSWORD).body());
    String acme = "tenant:" + me.at("/tenant/id").asText() + ":";
    Browser globexAdmin = TestInfrastructure.browser(server);
    String globex = "tenant:" + JSON.readTree(globexAdmin.login("admin@globex.test", TestInfrastructure.PASSWORD)
        .body()).at("/tenant/id").asText() + ":";
    var cache = server.tierstate().cache();
    CacheOptions options = CacheOptions.ttl(Duration.ofMinutes(5)).tags(acme + "reports");
    cache.set(acme + "report:1", "one", options);
    cache.set(acme + "report:2", "two", options);
    cache.set(acme + "widget:1", "w", CacheOptions.ttl(Duration.ofMinutes(5)));
    cache.set(globex + "report:1", "theirs", CacheOptions.ttl(Duration.ofMinutes(5)));

    HttpResponse<String> foreign = admin.post("/admin/cache/invalidate", "{\"keys\":[\"" + globex + "report:1\"]}");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(admin.post("/admin/cache/invalidate", "{\"pattern\":\"tenant:*\"}").statusCode()).isEqualTo(403);
    assertThat(admin.post("/admin/cache/invalidate", "{\"tags\":[\"reports\"]}").statusCode()).isEqualTo(403);
    assertThat(cache.get(globex + "report:1", String.class)).hasValue("theirs");

    HttpResponse<String> byTag = admin.post("/admin/cache/invalidate", "{\"tags\":[\"" + acme + "reports\"]}");
    assertThat(byTag.statusCode()).as(byTag.body()).isEqualTo(200);
    assertThat(cache.get(acme + "report:1", String.class)).isEmpty();
    assertThat(cache.get(acme + "report:2", String.class)).isEmpty();
    assertThat(cache.get(acme + "widget:1", String.class)).hasValue("w");

    HttpResponse<String> byPattern = admin.post("/admin/cache/invalidate", "{\"pattern\":\"" + acme + "widget:*\"}");
    assertThat(byPattern.statusCode()).isEqualTo(200);
    assertThat(cache.get(acme + "widget:1", String.class)).isEmpty();
    assertThat(cache.get(globex + "report:1", String.class)).hasValue("theirs");

    Browser member = TestInfrastructure.browser(server);
    member.login("alice@acme.test", TestInfrastructure.PASSWORD);
    assertThat(member.post("/admin/cache/invalidate", "{\"keys\":[\"" + acme + "x\"]}").statusCode()).isEqualTo(403);
  }
}
