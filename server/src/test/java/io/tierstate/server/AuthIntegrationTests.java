package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestInfrastructure infra;
  private static TierstateServer server;

  @BeforeAll
  static void start() {
    infra = new TestInfrastructure();
    server = infra.startServer(Map.of("ALLOWED_ORIGINS", "https://console.example.com"));
  }

  @AfterAll
  static void stop() {
    server.close();
    infra.close();
  }

  @Test
  void loginSetsHttpOnlyLaxCookiesAndReturnsTheSession() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    HttpResponse<String> response = browser.login("admin@acme.test", TestInfrastructure.PASSWORD);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    String access = browser.cookie("accessToken").orElseThrow().raw();
    assertThat(access).contains("; Path=/;", "; Max-Age=900;", "; HttpOnly", "; SameSite=Lax")
        .doesNotContain("Secure");
    String refresh = browser.cookie("refreshToken").orElseThrow().raw();
    assertThat(refresh).contains("; Path=/api/v1/auth/refresh;", "; Max-Age=604800;", "; HttpOnly",
        "; SameSite=Lax");
    // The JWT carries ids only: no e-mail, roles or permissions.
    String payload = new String(java.util.Base64.getUrlDecoder()
        .decode(browser.cookie("accessToken").orElseThrow().value().split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(JSON.readTree(payload).fieldNames()).toIterable()
        .containsExactlyInAnyOrder("iss", "sub", "tid", "sid", "iat", "exp", "jti");

    JsonNode body = JSON.readTree(response.body());
    assertThat(body.at("/user/email").asText()).isEqualTo("admin@acme.test");
    assertThat(body.at("/tenant/slug").asText()).isEqualTo("acme");
    assertThat(body.at("/roles").toString()).contains("tenant_admin");
    assertThat(body.at("/permissions").toString()).contains("users:read", "cache:admin");

    JsonNode session = JSON.readTree(browser.get("/api/v1/auth/session").body());
    assertThat(session.at("/user/id").asText()).isEqualTo(body.at("/user/id").asText());
    assertThat(session.at("/session/userAgent").asText()).isEqualTo("tierstate-tests");
    assertThat(session.at("/session/deviceId").asText()).startsWith("web-");
    assertThat(session.at("/degraded").asBoolean()).isFalse();
  }

  @Test
  void secureCookiesWhenConfiguredForHttps() {
    try (TierstateServer https = infra.startServer(Map.of("COOKIE_SECURE", "true"))) {
      Browser browser = TestInfrastructure.browser(https);
      assertThat(browser.login("alice@acme.test", TestInfrastructure.PASSWORD).statusCode()).isEqualTo(200);
      assertThat(browser.cookie("accessToken").orElseThrow().raw()).endsWith("; Secure");
      assertThat(browser.cookie("refreshToken").orElseThrow().raw()).endsWith("; Secure");
    }
  }

  @Test
  void wrongPasswordAndUnknownEmailGetTheSameAnswer() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    HttpResponse<String> wrongPassword = browser.login("alice@acme.test", "not-her-password");
    HttpResponse<String> unknown = browser.login("nobody@acme.test", "whatever");

    assertThat(wrongPassword.statusCode()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(wrongPassword.body()).isEqualTo(unknown.body());
    assertThat(JSON.readTree(unknown.body()).at("/error/code").asText()).isEqualTo("invalid_credentials");
    assertThat(browser.cookie("accessToken")).isEmpty();
  }

  @Test
  void unauthenticatedRequestsAreRefused() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    HttpResponse<String> response = browser.get("/api/v1/auth/session");
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("not_authenticated");

    browser.setCookie("accessToken", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "/");
    HttpResponse<String> forged = browser.get("/api/v1/auth/session");
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(forged.body()).at("/error/code").asText()).isEqualTo("invalid_token");
  }

  @Test
  void refreshRotatesTheTokenAndReusingAnOldOneRevokesTheSession() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    assertThat(browser.login("carol@acme.test", TestInfrastructure.PASSWORD).statusCode()).isEqualTo(200);
    String firstRefresh = browser.cookie("refreshToken").orElseThrow().value();
    String firstAccess = browser.cookie("accessToken").orElseThrow().value();

    HttpResponse<String> refreshed = browser.post("/api/v1/auth/refresh", "");
    assertThat(refreshed.statusCode()).isEqualTo(200);
    String secondRefresh = browser.cookie("refreshToken").orElseThrow().value();
    assertThat(secondRefresh).isNotEqualTo(firstRefresh);
    assertThat(browser.cookie("accessToken").orElseThrow().value()).isNotEqualTo(firstAccess);
    assertThat(browser.get("/api/v1/auth/session").statusCode()).isEqualTo(200);

    // A thief replays the first refresh token: the session ends for everyone holding it.
    Browser thief = TestInfrastructure.browser(server);
    thief.setCookie("refreshToken", firstRefresh, "/api/v1/auth/refresh");
    HttpResponse<String> replay = thief.post("/api/v1/auth/refresh", "");
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(replay.body()).at("/error/code").asText()).isEqualTo("refresh_token_reused");
    assertThat(thief.cookie("accessToken")).isEmpty();

    HttpResponse<String> after = browser.get("/api/v1/auth/session");
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(after.body()).at("/error/code").asText()).isEqualTo("session_ended");
    assertThat(browser.post("/api/v1/auth/refresh", "").statusCode()).isEqualTo(401);
  }

  @Test
  void concurrentRefreshesWithOneTokenNeverBothSucceed() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    browser.login("alice@acme.test", TestInfrastructure.PASSWORD);
    String token = browser.cookie("refreshToken").orElseThrow().value();
    int attempts = 6;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.List<java.util.concurrent.CompletableFuture<Integer>> results = new java.util.ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      Browser holder = TestInfrastructure.browser(server);
      holder.setCookie("refreshToken", token, "/api/v1/auth/refresh");
      results.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return holder.post("/api/v1/auth/refresh", "").statusCode();
      }));
    }
    start.countDown();
    java.util.List<Integer> statuses = results.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    // The first rotates; every later one presents a used token and ends the session.
    assertThat(statuses).filteredOn(status -> status == 200).hasSizeLessThanOrEqualTo(1);
    assertThat(statuses).allMatch(status -> status == 200 || status == 401);
    assertThat(browser.get("/api/v1/auth/session").statusCode()).isEqualTo(401);
  }

  @Test
  void logoutEndsTheSessionAtOnce() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    browser.login("alice@acme.test", TestInfrastructure.PASSWORD);
    String stolenAccess = browser.cookie("accessToken").orElseThrow().value();

    HttpResponse<String> logout = browser.post("/api/v1/auth/logout", "");
    assertThat(logout.statusCode()).isEqualTo(204);
    assertThat(logout.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("accessToken=;") && c.contains("Max-Age=0"));
    assertThat(browser.cookie("accessToken")).isEmpty();

    // The access token is still within its 15 minutes, but its session is gone.
    Browser replay = TestInfrastructure.browser(server);
    replay.setCookie("accessToken", stolenAccess, "/");
    HttpResponse<String> response = replay.get("/api/v1/auth/session");
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("session_ended");
  }

  @Test
  void logoutAllEndsEverySessionOfTheUser() throws Exception {
    Browser laptop = TestInfrastructure.browser(server);
    Browser phone = TestInfrastructure.browser(server);
    Browser other = TestInfrastructure.browser(server);
    laptop.login("bob@globex.test", TestInfrastructure.PASSWORD);
    phone.login("bob@globex.test", TestInfrastructure.PASSWORD);
    other.login("admin@globex.test", TestInfrastructure.PASSWORD);

    HttpResponse<String> response = phone.post("/api/v1/auth/logout-all", "");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/endedSessions").asInt()).isGreaterThanOrEqualTo(2);

    assertThat(laptop.get("/api/v1/auth/session").statusCode()).isEqualTo(401);
    assertThat(phone.get("/api/v1/auth/session").statusCode()).isEqualTo(401);
    assertThat(other.get("/api/v1/auth/session").statusCode()).isEqualTo(200);
  }

  @Test
  void unsafeRequestsWithoutOrAFromAForeignOriginAreRejected() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    String body = "{\"email\":\"admin@acme.test\",\"password\":\"tierstate-demo\"}";

    HttpResponse<String> none = browser.send("POST", "/api/v1/auth/login", body, Map.of());
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(none.body()).at("/error/code").asText()).isEqualTo("csrf_rejected");

    HttpResponse<String> foreign = browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Origin", "https://evil.example"));
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(foreign.body()).at("/error/code").asText()).isEqualTo("csrf_rejected");

    HttpResponse<String> foreignReferer = browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Referer", "https://evil.example/page"));
    assertThat(foreignReferer.statusCode()).isEqualTo(403);
    assertThat(browser.cookie("accessToken")).isEmpty();

    // The server's own origin, a configured one, or a same-origin Referer pass.
    assertThat(browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Origin", "https://console.example.com")).statusCode()).isEqualTo(200);
    assertThat(browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Referer", server.baseUrl() + "/console")).statusCode()).isEqualTo(200);

    // Signed in, a cross-site POST is still refused and changes nothing.
    HttpResponse<String> forged = browser.send("POST", "/api/v1/auth/logout-all", "",
        Map.of("Origin", "https://evil.example"));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(browser.get("/api/v1/auth/session").statusCode()).isEqualTo(200);
  }

  @Test
  void allowedOriginsGetCorsWithCredentialsAndOthersDoNot() {
    Browser browser = TestInfrastructure.browser(server);
    HttpResponse<String> preflight = browser.send("OPTIONS", "/api/v1/auth/session", null, Map.of(
        "Origin", "https://console.example.com", "Access-Control-Request-Method", "GET"));
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

    HttpResponse<String> foreign = browser.send("OPTIONS", "/api/v1/auth/session", null, Map.of(
        "Origin", "https://evil.example", "Access-Control-Request-Method", "GET"));
    assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> read = browser.send("GET", "/api/v1/auth/session", null,
        Map.of("Origin", "https://console.example.com"));
    assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
  }

  @Test
  void loginIsRateLimitedPerEmailWithRetryAfter() throws Exception {
    // LOGIN_RATE_LIMIT_EMAIL defaults to 5 a minute; each attempt comes from a new address.
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> attempt = TestInfrastructure.browser(server).login("limited@globex.test", "guess-" + i);
      assertThat(attempt.statusCode()).isEqualTo(401);
    }
    HttpResponse<String> limited = TestInfrastructure.browser(server)
        .login("limited@globex.test", TestInfrastructure.PASSWORD);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()).at("/error/code").asText()).isEqualTo("too_many_login_attempts");
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(limited.headers().firstValue("RateLimit-Policy")).hasValue("\"login-email\";q=5;w=60");
  }

  @Test
  void loginIsRateLimitedPerAddress() throws Exception {
    try (TierstateServer strict = infra.startServer(Map.of("LOGIN_RATE_LIMIT_IP", "3"))) {
      Browser browser = TestInfrastructure.browser(strict);
      for (int i = 0; i < 3; i++) {
        assertThat(browser.login("someone" + i + "@nowhere.test", "x").statusCode()).isEqualTo(401);
      }
      HttpResponse<String> limited = browser.login("alice@acme.test", TestInfrastructure.PASSWORD);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After")).isPresent();
      // Another address is not affected.
      assertThat(TestInfrastructure.browser(strict).login("alice@acme.test", TestInfrastructure.PASSWORD)
          .statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aSuspendedUserIsRefusedAtOnceOnceTheirAccessIsInvalidated() throws Exception {
    Browser browser = TestInfrastructure.browser(server);
    HttpResponse<String> login = browser.login("carol@acme.test", TestInfrastructure.PASSWORD);
    assertThat(login.statusCode()).isEqualTo(200);
    JsonNode me = JSON.readTree(login.body());
    java.util.UUID tenant = java.util.UUID.fromString(me.at("/tenant/id").asText());
    java.util.UUID user = java.util.UUID.fromString(me.at("/user/id").asText());
    try {
      server.database().update("UPDATE users SET status = 'suspended' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(server.tierstate(), server.database()).invalidateUser(tenant, user);

      HttpResponse<String> refused = browser.get("/api/v1/auth/session");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("account_suspended");
      HttpResponse<String> relogin = TestInfrastructure.browser(server).login("carol@acme.test", TestInfrastructure.PASSWORD);
      assertThat(relogin.statusCode()).isEqualTo(403);
    } finally {
      server.database().update("UPDATE users SET status = 'active' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(server.tierstate(), server.database()).invalidateUser(tenant, user);
    }
  }
}
