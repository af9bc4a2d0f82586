package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestStack stack = TestStack.withServer(
      Map.of("ALLOWED_ORIGINS", "https://console.example.com", "LOGIN_RATE_LIMIT_EMAIL", "5"));

  @Test
  void loginSetsHttpOnlyLaxCookiesAndReturnsTheSession() throws Exception {
    ApiClient browser = stack.client();
    Answer response = browser.attemptLogin("admin@acme.test", TestStack.PASSWORD);

    assertThat(response.status()).isEqualTo(200);
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
    try (TierstateServer https = stack.startServer(Map.of("COOKIE_SECURE", "true"))) {
      ApiClient browser = TestStack.client(https);
      assertThat(browser.attemptLogin("alice@acme.test", TestStack.PASSWORD).status()).isEqualTo(200);
      assertThat(browser.cookie("accessToken").orElseThrow().raw()).endsWith("; Secure");
      assertThat(browser.cookie("refreshToken").orElseThrow().raw()).endsWith("; Secure");
    }
  }

  @Test
  void wrongPasswordAndUnknownEmailGetTheSameAnswer() throws Exception {
    ApiClient browser = stack.client();
    Answer wrongPassword = browser.attemptLogin("alice@acme.test", "not-her-password");
    Answer unknown = browser.attemptLogin("nobody@acme.test", "whatever");

    assertThat(wrongPassword.status()).isEqualTo(401);
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrongPassword.body()).isEqualTo(unknown.body());
    assertThat(JSON.readTree(unknown.body()).at("/error/code").asText()).isEqualTo("invalid_credentials");
    assertThat(browser.cookie("accessToken")).isEmpty();
  }

  @Test
  void unauthenticatedRequestsAreRefused() throws Exception {
    ApiClient browser = stack.client();
    Answer response = browser.get("/api/v1/auth/session");
    assertThat(response.status()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("not_authenticated");

    browser.setCookie("accessToken", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "/");
    Answer forged = browser.get("/api/v1/auth/session");
    assertThat(forged.status()).isEqualTo(401);
    assertThat(JSON.readTree(forged.body()).at("/error/code").asText()).isEqualTo("invalid_token");
  }

  @Test
  void refreshRotatesTheTokenAndReusingAnOldOneRevokesTheSession() throws Exception {
    ApiClient browser = stack.client();
    assertThat(browser.attemptLogin("carol@acme.test", TestStack.PASSWORD).status()).isEqualTo(200);
    String firstRefresh = browser.cookie("refreshToken").orElseThrow().value();
    String firstAccess = browser.cookie("accessToken").orElseThrow().value();

    Answer refreshed = browser.post("/api/v1/auth/refresh", "");
    assertThat(refreshed.status()).isEqualTo(200);
    String secondRefresh = browser.cookie("refreshToken").orElseThrow().value();
    assertThat(secondRefresh).isNotEqualTo(firstRefresh);
    assertThat(browser.cookie("accessToken").orElseThrow().value()).isNotEqualTo(firstAccess);
    assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(200);

    // A thief replays the first refresh token: the session ends for everyone holding it.
    ApiClient thief = stack.client();
    thief.setCookie("refreshToken", firstRefresh, "/api/v1/auth/refresh");
    Answer replay = thief.post("/api/v1/auth/refresh", "");
    assertThat(replay.status()).isEqualTo(401);
    assertThat(JSON.readTree(replay.body()).at("/error/code").asText()).isEqualTo("refresh_token_reused");
    assertThat(thief.cookie("accessToken")).isEmpty();

    Answer after = browser.get("/api/v1/auth/session");
    assertThat(after.status()).isEqualTo(401);
    assertThat(JSON.readTree(after.body()).at("/error/code").asText()).isEqualTo("session_ended");
    assertThat(browser.post("/api/v1/auth/refresh", "").status()).isEqualTo(401);
  }

  @Test
  void concurrentRefreshesWithOneTokenNeverBothSucceed() throws Exception {
    ApiClient browser = stack.client();
    browser.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    String token = browser.cookie("refreshToken").orElseThrow().value();
    int attempts = 6;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.List<java.util.concurrent.CompletableFuture<Integer>> results = new java.util.ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      ApiClient holder = stack.client();
      holder.setCookie("refreshToken", token, "/api/v1/auth/refresh");
      results.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return holder.post("/api/v1/auth/refresh", "").status();
      }));
    }
    start.countDown();
    java.util.List<Integer> statuses = results.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    // The first rotates; every later one presents a used token and ends the session.
    assertThat(statuses).filteredOn(status -> status == 200).hasSizeLessThanOrEqualTo(1);
    assertThat(statuses).allMatch(status -> status == 200 || status == 401);
    assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(401);
  }

  @Test
  void logoutEndsTheSessionAtOnce() throws Exception {
    ApiClient browser = stack.client();
    browser.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    String stolenAccess = browser.cookie("accessToken").orElseThrow().value();

    Answer logout = browser.post("/api/v1/auth/logout", "");
    assertThat(logout.status()).isEqualTo(204);
    assertThat(logout.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("accessToken=;") && c.contains("Max-Age=0"));
    assertThat(browser.cookie("accessToken")).isEmpty();

    // The access token is still within its 15 minutes, but its session is gone.
    ApiClient replay = stack.client();
    replay.setCookie("accessToken", stolenAccess, "/");
    Answer response = replay.get("/api/v1/auth/session");
    assertThat(response.status()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo("session_ended");
  }

  @Test
  void logoutAllEndsEverySessionOfTheUser() throws Exception {
    ApiClient laptop = stack.client();
    ApiClient phone = stack.client();
    ApiClient other = stack.client();
    laptop.attemptLogin("bob@globex.test", TestStack.PASSWORD);
    phone.attemptLogin("bob@globex.test", TestStack.PASSWORD);
    other.attemptLogin("admin@globex.test", TestStack.PASSWORD);

    Answer response = phone.post("/api/v1/auth/logout-all", "");
    assertThat(response.status()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/endedSessions").asInt()).isGreaterThanOrEqualTo(2);

    assertThat(laptop.get("/api/v1/auth/session").status()).isEqualTo(401);
    assertThat(phone.get("/api/v1/auth/session").status()).isEqualTo(401);
    assertThat(other.get("/api/v1/auth/session").status()).isEqualTo(200);
  }

  @Test
  void unsafeRequestsWithoutOrAFromAForeignOriginAreRejected() throws Exception {
    ApiClient browser = stack.client();
    String body = "{\"email\":\"admin@acme.test\",\"password\":\"tierstate-demo\"}";

    Answer none = browser.send("POST", "/api/v1/auth/login", body, Map.of());
    assertThat(none.status()).isEqualTo(403);
    assertThat(JSON.readTree(none.body()).at("/error/code").asText()).isEqualTo("csrf_rejected");

    Answer foreign = browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Origin", "https://evil.example"));
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(JSON.readTree(foreign.body()).at("/error/code").asText()).isEqualTo("csrf_rejected");

    Answer foreignReferer = browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Referer", "https://evil.example/page"));
    assertThat(foreignReferer.status()).isEqualTo(403);
    assertThat(browser.cookie("accessToken")).isEmpty();

    // The server's own origin, a configured one, or a same-origin Referer pass.
    assertThat(browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Origin", "https://console.example.com")).status()).isEqualTo(200);
    assertThat(browser.send("POST", "/api/v1/auth/login", body,
        Map.of("Referer", stack.server().baseUrl() + "/console")).status()).isEqualTo(200);

    // Signed in, a cross-site POST is still refused and changes nothing.
    Answer forged = browser.send("POST", "/api/v1/auth/logout-all", "",
        Map.of("Origin", "https://evil.example"));
    assertThat(forged.status()).isEqualTo(403);
    assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(200);
  }

  @Test
  void allowedOriginsGetCorsWithCredentialsAndOthersDoNot() {
    ApiClient browser = stack.client();
    Answer preflight = browser.send("OPTIONS", "/api/v1/auth/session", null, Map.of(
        "Origin", "https://console.example.com", "Access-Control-Request-Method", "GET"));
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

    Answer foreign = browser.send("OPTIONS", "/api/v1/auth/session", null, Map.of(
        "Origin", "https://evil.example", "Access-Control-Request-Method", "GET"));
    assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    Answer read = browser.send("GET", "/api/v1/auth/session", null,
        Map.of("Origin", "https://console.example.com"));
    assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://console.example.com");
  }

  @Test
  void loginIsRateLimitedPerEmailWithRetryAfter() throws Exception {
    // LOGIN_RATE_LIMIT_EMAIL is the default 5 a minute here (set above); each attempt comes from a new address.
    for (int i = 0; i < 5; i++) {
      Answer attempt = stack.client().attemptLogin("limited@globex.test", "guess-" + i);
      assertThat(attempt.status()).isEqualTo(401);
    }
    Answer limited = stack.client()
        .attemptLogin("limited@globex.test", TestStack.PASSWORD);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()).at("/error/code").asText()).isEqualTo("too_many_login_attempts");
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(limited.headers().firstValue("RateLimit-Policy")).hasValue("\"login-email\";q=5;w=60");
  }

  @Test
  void loginIsRateLimitedPerAddress() throws Exception {
    try (TierstateServer strict = stack.startServer(Map.of("LOGIN_RATE_LIMIT_IP", "3"))) {
      ApiClient browser = TestStack.client(strict);
      for (int i = 0; i < 3; i++) {
        assertThat(browser.attemptLogin("someone" + i + "@nowhere.test", "x").status()).isEqualTo(401);
      }
      Answer limited = browser.attemptLogin("alice@acme.test", TestStack.PASSWORD);
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After")).isPresent();
      // Another address is not affected.
      assertThat(TestStack.client(strict).attemptLogin("alice@acme.test", TestStack.PASSWORD)
          .status()).isEqualTo(200);
    }
  }

  @Test
  void aSuspendedUserIsRefusedAtOnceOnceTheirAccessIsInvalidated() throws Exception {
    ApiClient browser = stack.client();
    Answer login = browser.attemptLogin("carol@acme.test", TestStack.PASSWORD);
    assertThat(login.status()).isEqualTo(200);
    JsonNode me = JSON.readTree(login.body());
    java.util.UUID tenant = java.util.UUID.fromString(me.at("/tenant/id").asText());
    java.util.UUID user = java.util.UUID.fromString(me.at("/user/id").asText());
    try {
      stack.server().database().update("UPDATE users SET status = 'suspended' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(stack.server().tierstate(), stack.server().database()).invalidateUser(tenant, user);

      Answer refused = browser.get("/api/v1/auth/session");
      assertThat(refused.status()).isEqualTo(403);
      assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("account_suspended");
      Answer relogin = stack.client().attemptLogin("carol@acme.test", TestStack.PASSWORD);
      assertThat(relogin.status()).isEqualTo(403);
    } finally {
      stack.server().database().update("UPDATE users SET status = 'active' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(stack.server().tierstate(), stack.server().database()).invalidateUser(tenant, user);
    }
  }
}
