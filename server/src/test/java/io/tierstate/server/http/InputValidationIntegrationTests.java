package io.tierstate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.RawHttp;
import io.tierstate.server.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The defects a new user found in the first hour (issue 14), one test each: every one of these
 * answered 500, stored a coerced or control-character value, or answered a misleading status.
 */
class InputValidationIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  private static ApiClient admin() {
    return TestStack.signedIn(stack.server(), "admin@acme.test");
  }

  private static String users(ApiClient admin) {
    return "/api/v1/tenants/" + admin.tenantId() + "/users";
  }

  private static void refused(Answer answer, int status, String code, String named) {
    assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    assertThat(answer.errorCode()).as(answer.toString()).isEqualTo(code);
    assertThat(answer.json().path("error").path("message").asText()).as(answer.toString()).contains(named);
  }

  @Test
  void aNulInAQueryIs400NamingTheParameterNot500() {
    ApiClient admin = admin();
    refused(admin.get(users(admin) + "?q=a%00b"), 400, "invalid_text", "'q'");
  }

  @Test
  void aNulInABodyFieldIs400NamingTheFieldNot500() {
    ApiClient admin = admin();
    refused(admin.post(users(admin), "{\"email\":\"n@acme.test\",\"displayName\":\"a\\u0000b\","
        + "\"password\":\"correct-horse-battery\"}"), 400, "invalid_text", "'displayName'");
    refused(admin.patch(users(admin) + "/" + admin.userId(), "{\"displayName\":\"a\\u0000b\"}"), 400, "invalid_text",
        "'displayName'");
  }

  @Test
  void anAnonymousLoginWithANulInTheEmailIs400Not500() {
    refused(stack.client().post("/api/v1/auth/login", "{\"email\":\"a\\u0000b@acme.test\",\"password\":\"x\"}"), 400,
        "invalid_text", "'email'");
  }

  @Test
  void aBellInADisplayNameIsRefusedNotStored() {
    ApiClient admin = admin();
    refused(admin.patch(users(admin) + "/" + admin.userId(), "{\"displayName\":\"ding\\u0007\"}"), 400, "invalid_text",
        "U+0007");
    assertThat(admin.get(users(admin) + "/" + admin.userId()).json().path("displayName").asText()).doesNotContain("\u0007");
  }

  @Test
  void numbersAndBooleansAreNotCoercedToText() {
    ApiClient admin = admin();
    refused(admin.patch(users(admin) + "/" + admin.userId(), "{\"displayName\":42}"), 400, "invalid_field",
        "'displayName'");
    refused(stack.client().post("/api/v1/auth/login", "{\"email\":\"a@acme.test\",\"password\":12}"), 400,
        "invalid_field", "'password'");
    refused(admin.patch(users(admin) + "/" + admin.userId(), "{\"displayName\":true}"), 400, "invalid_field",
        "'displayName'");
  }

  @Test
  void aFieldGivenTwiceIsRefused() {
    ApiClient admin = admin();
    refused(admin.patch(users(admin) + "/" + admin.userId(), "{\"displayName\":\"One\",\"displayName\":\"Two\"}"), 400,
        "duplicate_field", "'displayName'");
  }

  @Test
  void aBodyThatIsNotJsonIs415() {
    ApiClient admin = admin();
    refused(admin.send("PATCH", users(admin) + "/" + admin.userId(), "{\"displayName\":\"Plain\"}",
        Map.of("Content-Type", "text/plain", "Origin", admin.baseUrl())), 415, "unsupported_media_type",
        "application/json");
    refused(stack.client().send("POST", "/api/v1/auth/login", "{\"email\":\"a@acme.test\",\"password\":\"x\"}",
        Map.of("Content-Type", "application/x-www-form-urlencoded", "Origin", admin.baseUrl())), 415,
        "unsupported_media_type", "application/json");
    // With a charset of UTF-8 it is JSON all the same.
    Answer ok = admin.send("PATCH", users(admin) + "/" + admin.userId(), "{\"displayName\":\"Acme Admin\"}",
        Map.of("Content-Type", "application/json; charset=UTF-8", "Origin", admin.baseUrl()));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
  }

  @Test
  void aBodyThatIsNotUtf8IsRefused() {
    ApiClient admin = admin();
    byte[] body = {'{', '"', 'd', 'i', 's', 'p', 'l', 'a', 'y', 'N', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC0,
        (byte) 0x80, '"', '}'};
    RawHttp.Response answer = RawHttp.send(stack.server().port(), "PATCH",
        (users(admin) + "/" + admin.userId()).getBytes(StandardCharsets.US_ASCII),
        List.of(("Cookie: " + admin.cookieHeader(users(admin))).getBytes(StandardCharsets.US_ASCII),
            ("Origin: " + admin.baseUrl()).getBytes(StandardCharsets.US_ASCII),
            ("X-Forwarded-For: " + admin.clientIp()).getBytes(StandardCharsets.US_ASCII),
            "Content-Type: application/json".getBytes(StandardCharsets.US_ASCII)), body);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
    assertThat(answer.body()).contains("invalid_encoding");
  }

  @Test
  void aQueryThatIsNotUtf8IsRefused() {
    ApiClient admin = admin();
    refused(admin.get(users(admin) + "?q=%C0%80"), 400, "invalid_text", "UTF-8");
  }

  @Test
  void aMalformedIfMatchIs400Not412() {
    ApiClient admin = admin();
    for (String header : List.of("If-Match", "If-None-Match")) {
      refused(admin.patch(users(admin) + "/" + admin.userId(), Map.of("displayName", "Acme Admin"),
          Map.of(header, "garbage")), 400, "invalid_header", header);
    }
    refused(admin.get(users(admin) + "/" + admin.userId(), Map.of("If-None-Match", "garbage")), 400, "invalid_header",
        "If-None-Match");
    // Well-formed tags still work: a stale one is 412, the current one (weak, in a list) applies.
    Answer read = admin.get(users(admin) + "/" + admin.userId());
    Answer stale = admin.patch(users(admin) + "/" + admin.userId(), Map.of("displayName", "Acme Admin"),
        Map.of("If-Match", "\"stale\""));
    assertThat(stale.status()).isEqualTo(412);
    Answer fresh = admin.patch(users(admin) + "/" + admin.userId(), Map.of("displayName", "Acme Admin"),
        Map.of("If-Match", "W/" + read.header("ETag") + ", \"other\""));
    assertThat(fresh.status()).as(fresh.toString()).isEqualTo(200);
  }

  @Test
  void aKnownPathWithAnotherMethodIs405WithAllow() {
    ApiClient admin = admin();
    Answer answer = admin.send("PUT", users(admin) + "/" + admin.userId(), "{}", Map.of("Origin", admin.baseUrl()));
    refused(answer, 405, "method_not_allowed", "PUT");
    assertThat(answer.header("Allow")).isEqualTo("DELETE, GET, PATCH");
    Answer post = admin.send("POST", "/api/v1/auth/session", null, Map.of("Origin", admin.baseUrl()));
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("Allow")).isEqualTo("GET");
    // An unknown path stays 404.
    assertThat(admin.send("POST", "/api/v1/nowhere", null, Map.of("Origin", admin.baseUrl())).status()).isEqualTo(404);
  }

  @Test
  void aSizeWithAPlusSignIsRefused() {
    ApiClient admin = admin();
    refused(admin.get(users(admin) + "?size=%2B5"), 400, "invalid_parameter", "'size'");
    assertThat(admin.get(users(admin) + "?size=5").status()).isEqualTo(200);
  }

  @Test
  void aMissingPasswordIsTheSameErrorAtLoginAndAtCreation() {
    ApiClient admin = admin();
    Answer login = stack.client().post("/api/v1/auth/login", "{\"email\":\"a@acme.test\"}");
    Answer create = admin.post(users(admin), "{\"email\":\"nopass@acme.test\",\"displayName\":\"No Pass\"}");
    refused(login, 400, "invalid_field", "'password' is required");
    refused(create, 400, "invalid_field", "'password' is required");
  }

  @Test
  void aHeaderWithANulIsAJsonError() {
    RawHttp.Response answer = RawHttp.send(stack.server().port(), "GET",
        "/api/v1/auth/session".getBytes(StandardCharsets.US_ASCII),
        List.of(new byte[] {'X', '-', 'A', ':', ' ', 'a', 0, 'b'}), new byte[0]);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    assertThat(answer.body()).contains("\"code\":\"bad_request\"");
  }

  @Test
  void aDeeplyNestedBodyIsRefused() {
    ApiClient admin = admin();
    String nested = "[".repeat(5000) + "]".repeat(5000);
    refused(admin.patch(users(admin) + "/" + admin.userId(), "{\"roles\":" + nested + "}"), 400, "malformed_json",
        "deeper");
  }
}
