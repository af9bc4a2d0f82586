package io.tierstate.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** "My devices": a user lists their own sessions and ends one, by a handle that is not a credential. */
class MySessionsIntegrationTests {
  private static final String PASSWORD = "correct-horse-battery";

  @RegisterExtension
  static final TestStack stack = TestStack.withServer();
  private static ApiClient admin;

  @BeforeAll
  static void start() {
    admin = TestStack.signedIn(stack.server(), "admin@acme.test");
  }

  /** A new user of acme, so that no other test's sign-ins show up in their list. */
  private static String newUser() {
    String email = "dev" + UUID.randomUUID().toString().substring(0, 8) + "@acme.test";
    Answer created = admin.post("/api/v1/tenants/" + admin.tenantId() + "/users",
        Map.of("email", email, "displayName", "Device Dora", "password", PASSWORD));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return email;
  }

  private static ApiClient signIn(String email, String deviceId) {
    ApiClient client = stack.client();
    Answer login = client.post("/api/v1/auth/login", Map.of("email", email, "password", PASSWORD, "deviceId", deviceId));
    assertThat(login.status()).as(login.toString()).isEqualTo(200);
    return client;
  }

  private static JsonNode items(ApiClient client) {
    Answer answer = client.get("/api/v1/auth/sessions");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
    return answer.json().get("items");
  }

  private static String idOf(JsonNode items, String deviceId) {
    for (JsonNode item : items) {
      if (item.get("deviceId").asText().equals(deviceId)) {
        return item.get("id").asText();
      }
    }
    throw new AssertionError("no session of device " + deviceId + " in " + items);
  }

  /** The raw session id as the cookies carry it: the JWT's sid claim and the refresh token's first part. */
  private static List<String> secretsOf(ApiClient client) {
    String jwt = client.cookie("accessToken").orElseThrow().value();
    String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    List<String> secrets = new ArrayList<>();
    try {
      secrets.add(ApiClient.JSON.readTree(payload).get("sid").asText());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    String refresh = client.cookie("refreshToken").orElseThrow().value();
    secrets.add(refresh.substring(0, refresh.indexOf('~')));
    secrets.add(refresh.substring(refresh.indexOf('~') + 1));
    return secrets;
  }

  @Test
  void aUserSeesOnlyTheirOwnSessionsMostRecentlyActiveFirstWithTheCurrentOneMarked() {
    String email = newUser();
    ApiClient laptop = signIn(email, "laptop");
    ApiClient phone = signIn(email, "phone");
    ApiClient alice = TestStack.signedIn(stack.server(), "alice@acme.test");

    JsonNode fromLaptop = items(laptop);
    assertThat(fromLaptop).extracting(item -> item.get("deviceId").asText()).containsExactly("phone", "laptop");
    assertThat(fromLaptop).extracting(item -> item.get("current").asBoolean()).containsExactly(false, true);
    JsonNode fromPhone = items(phone);
    assertThat(fromPhone).extracting(item -> item.get("current").asBoolean()).containsExactly(true, false);
    assertThat(fromPhone).extracting(item -> item.get("id").asText())
        .containsExactlyElementsOf(fromLaptop.findValuesAsText("id"));

    JsonNode first = fromLaptop.get(1);
    assertThat(first.get("ipAddress").asText()).isEqualTo(laptop.clientIp());
    assertThat(first.get("userAgent").asText()).isEqualTo(ApiClient.USER_AGENT);
    Instant created = Instant.parse(first.get("createdAt").asText());
    assertThat(Instant.parse(first.get("lastActiveAt").asText())).isAfterOrEqualTo(created);
    assertThat(Instant.parse(first.get("expiresAt").asText())).isAfter(created.plusSeconds(6 * 24 * 3600));
    List<String> fields = new ArrayList<>();
    first.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("id", "deviceId", "ipAddress", "userAgent", "createdAt", "lastActiveAt",
        "expiresAt", "current");

    // The ids name sessions but are not the secrets the cookies carry, nor any part of them.
    List<String> secrets = new ArrayList<>(secretsOf(laptop));
    secrets.addAll(secretsOf(phone));
    for (String id : fromLaptop.findValuesAsText("id")) {
      assertThat(id).matches("[A-Za-z0-9_-]{22}");
      for (String secret : secrets) {
        assertThat(secret).doesNotContain(id);
        assertThat(id).doesNotContain(secret);
      }
    }
    // Alice's list holds none of these, and theirs none of hers.
    assertThat(items(alice).findValuesAsText("id")).doesNotContainAnyElementsOf(fromLaptop.findValuesAsText("id"));
  }

  @Test
  void endingAnotherDeviceSignsItOutAndLeavesThisOne() {
    String email = newUser();
    ApiClient laptop = signIn(email, "laptop");
    ApiClient phone = signIn(email, "phone");
    String phoneId = idOf(items(laptop), "phone");

    Answer ended = laptop.delete("/api/v1/auth/sessions/" + phoneId);
    assertThat(ended.status()).as(ended.toString()).isEqualTo(204);
    assertThat(ended.headers().allValues("Set-Cookie")).isEmpty();

    Answer refused = phone.get("/api/v1/auth/session");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.errorCode()).isEqualTo("session_ended");
    assertThat(phone.post("/api/v1/auth/refresh", "").status()).isEqualTo(401);
    assertThat(laptop.get("/api/v1/auth/session").status()).isEqualTo(200);
    assertThat(items(laptop)).extracting(item -> item.get("deviceId").asText()).containsExactly("laptop");
    assertThat(laptop.delete("/api/v1/auth/sessions/" + phoneId).status()).isEqualTo(404);
  }

  @Test
  void anotherUsersSessionIdIsNotFoundAndStaysSignedIn() {
    String email = newUser();
    ApiClient dora = signIn(email, "laptop");
    ApiClient bob = TestStack.signedIn(stack.server(), "bob@globex.test");
    ApiClient carol = TestStack.signedIn(stack.server(), "carol@acme.test");
    String bobsId = items(bob).get(0).get("id").asText();
    String carolsId = items(carol).get(0).get("id").asText();

    for (String id : List.of(bobsId, carolsId, "AAAAAAAAAAAAAAAAAAAAAA", "x", "a".repeat(200), secretsOf(carol).get(0))) {
      Answer answer = dora.delete("/api/v1/auth/sessions/" + id);
      assertThat(answer.status()).as(id).isEqualTo(404);
      assertThat(answer.errorCode()).as(id).isEqualTo("not_found");
    }
    assertThat(bob.get("/api/v1/auth/session").status()).isEqualTo(200);
    assertThat(carol.get("/api/v1/auth/session").status()).isEqualTo(200);
    assertThat(items(bob).findValuesAsText("id")).contains(bobsId);
  }

  @Test
  void endingTheCurrentSessionClearsTheCookies() {
    String email = newUser();
    ApiClient laptop = signIn(email, "laptop");
    ApiClient stolenCopy = laptop.on(stack.server().baseUrl());
    String current = idOf(items(laptop), "laptop");

    Answer ended = laptop.delete("/api/v1/auth/sessions/" + current);
    assertThat(ended.status()).isEqualTo(204);
    assertThat(ended.headers().allValues("Set-Cookie"))
        .anySatisfy(cookie -> assertThat(cookie).startsWith("accessToken=;").contains("Max-Age=0"))
        .anySatisfy(cookie -> assertThat(cookie).startsWith("refreshToken=;").contains("Max-Age=0"));
    assertThat(laptop.cookie("accessToken")).isEmpty();
    assertThat(laptop.get("/api/v1/auth/session").errorCode()).isEqualTo("not_authenticated");
    // Cookies kept from before are no good either: the session is gone from Redis.
    assertThat(stolenCopy.get("/api/v1/auth/session").errorCode()).isEqualTo("session_ended");
  }

  @Test
  void bothRoutesNeedASignedInUser() {
    ApiClient anonymous = stack.client();
    assertThat(anonymous.get("/api/v1/auth/sessions").errorCode()).isEqualTo("not_authenticated");
    assertThat(anonymous.delete("/api/v1/auth/sessions/AAAAAAAAAAAAAAAAAAAAAA").errorCode())
        .isEqualTo("not_authenticated");
  }
}
