package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.server.http.PathParams;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpErrorsIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  static final TestStack stack = TestStack.withServer(Map.of("MAX_REQUEST_BYTES", "2048"), List.of(things()));

  /** A route of the kind feature packages add, to exercise the shared pieces. */
  private static Feature things() {
    return (app, context) -> {
      app.get("/api/v1/things/{thingId}", ctx -> ctx.json(Map.of("id", PathParams.uuid(ctx, "thingId"))));
      app.get("/api/v1/whoami", ctx -> ctx.json(Map.of("signedIn",
          io.tierstate.server.auth.AuthContext.optionalPrincipal(ctx).isPresent())), io.tierstate.server.http.Access.PUBLIC);
      app.get("/api/v1/broken", ctx -> {
        throw new IllegalStateException("a bug with a secret detail");
      });
    };
  }

  private static JsonNode error(Answer response, int status, String code) throws Exception {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.at("/error/code").asText()).isEqualTo(code);
    assertThat(body.at("/error/message").asText()).isNotBlank();
    assertThat(response.body()).doesNotContain("Exception", "\tat ");
    return body;
  }

  // Chromium on "localhost" connects over IPv6; its bracketed address once made every request a 500.
  @Test
  void ipv6AndMalformedClientAddressesAreServedNotFailed() {
    for (String address : List.of("[0:0:0:0:0:0:0:1]", "::1", "fe80::1%eth0", "not*an[address]")) {
      ApiClient client = new ApiClient(stack.server().baseUrl(), address);
      assertThat(client.get("/api/v1/whoami").status()).as(address).isEqualTo(200);
      assertThat(client.attemptLogin("nobody@acme.test", "a wrong password").status()).as(address).isEqualTo(401);
    }
  }

  @Test
  void malformedJsonIs400() throws Exception {
    ApiClient browser = stack.client();
    error(browser.post("/api/v1/auth/login", "{\"email\": "), 400, "malformed_json");
    error(browser.post("/api/v1/auth/login", "not json"), 400, "malformed_json");
    error(browser.post("/api/v1/auth/login", "{} {}"), 400, "malformed_json");
  }

  @Test
  void unknownFieldsAndWrongTypesAre400() throws Exception {
    ApiClient browser = stack.client();
    JsonNode unknown = error(browser.post("/api/v1/auth/login",
        "{\"email\":\"a@b.c\",\"password\":\"x\",\"admin\":true}"), 400, "unknown_field");
    assertThat(unknown.at("/error/message").asText()).contains("'admin'");
    error(browser.post("/api/v1/auth/login", "{\"email\":[1,2],\"password\":\"x\"}"), 400, "invalid_field");
    error(browser.post("/api/v1/auth/login", "[]"), 400, "invalid_field");
    error(browser.post("/api/v1/auth/login", "null"), 400, "missing_body");
    error(browser.post("/api/v1/auth/login", ""), 400, "missing_body");
    // A missing or invalid field is invalid_field here as on every other route (it was invalid_request).
    error(browser.post("/api/v1/auth/login", "{\"email\":\"a@b.c\"}"), 400, "invalid_field");
    error(browser.post("/api/v1/auth/login", "{\"email\":\"a@b.c\",\"password\":\"x\",\"deviceId\":\"no spaces\"}"),
        400, "invalid_field");
  }

  @Test
  void badIdsAre400AndGoodOnesPass() throws Exception {
    ApiClient browser = stack.client();
    browser.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    String id = "3f2c1a9e-8d4b-4c1e-9a7f-2b6d5e8c0f13";
    assertThat(browser.get("/api/v1/things/" + id).body()).contains(id);
    error(browser.get("/api/v1/things/42"), 400, "invalid_id");
    error(browser.get("/api/v1/things/1-2-3-4-5"), 400, "invalid_id");
    error(browser.get("/api/v1/things/" + id.replace('3', 'z')), 400, "invalid_id");
  }

  @Test
  void publicRoutesServeAnyoneAndStillRecognizeSignedInCallers() {
    ApiClient browser = stack.client();
    assertThat(browser.get("/api/v1/whoami").body()).isEqualTo("{\"signedIn\":false}");
    browser.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    assertThat(browser.get("/api/v1/whoami").body()).isEqualTo("{\"signedIn\":true}");
    browser.setCookie("accessToken", "garbage", "/");
    Answer stale = browser.get("/api/v1/whoami");
    assertThat(stale.status()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo("{\"signedIn\":false}");
  }

  @Test
  void unexpectedFailuresAre500WithoutDetails() throws Exception {
    ApiClient browser = stack.client();
    browser.attemptLogin("alice@acme.test", TestStack.PASSWORD);
    Answer response = browser.get("/api/v1/broken");
    error(response, 500, "internal_error");
    assertThat(response.body()).doesNotContain("secret", "IllegalState");
  }

  @Test
  void everyResponseCarriesARequestId() {
    ApiClient browser = stack.client();
    assertThat(browser.get("/health").headers().firstValue("X-Request-Id")).isPresent();
    Answer echoed = browser.send("GET", "/nowhere", null, Map.of("X-Request-Id", "trace-42"));
    assertThat(echoed.headers().firstValue("X-Request-Id")).hasValue("trace-42");
    Answer replaced = browser.send("GET", "/health", null, Map.of("X-Request-Id", "not a plain token; really"));
    assertThat(replaced.headers().firstValue("X-Request-Id").orElseThrow()).isNotEqualTo("not a plain token; really").hasSize(36);
  }

  @Test
  void oversizedBodiesAre413() throws Exception {
    ApiClient browser = stack.client();
    String big = "{\"email\":\"a@b.c\",\"password\":\"" + "x".repeat(4096) + "\"}";
    error(browser.post("/api/v1/auth/login", big), 413, "body_too_large");
  }

  @Test
  void oversizedChunkedBodiesWithoutContentLengthAre413Too() throws Exception {
    byte[] body = "x".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // A publisher of unknown length makes the client send the body chunked, without Content-Length.
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(stack.server().baseUrl() + "/api/v1/auth/login"))
        .header("Origin", stack.server().baseUrl())
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
        .build();
    Answer response = Answer.of(ApiClient.HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    error(response, 413, "body_too_large");
  }

  @Test
  void unknownRoutesAreJson404AndAnotherMethodOnAKnownPathIs405() throws Exception {
    ApiClient browser = stack.client();
    error(browser.get("/admin/nowhere"), 404, "not_found");
    error(browser.get("/api/v1/nowhere"), 404, "not_found");
    // Issue 14: a wrong method was 404, as if the path did not exist.
    ApiClient.Answer delete = browser.send("DELETE", "/health", null, Map.of("Origin", stack.server().baseUrl()));
    error(delete, 405, "method_not_allowed");
    assertThat(delete.header("Allow")).isEqualTo("GET");
  }

  @Test
  void aBadOrForeignCacheKeyIs400Or403NotA500() throws Exception {
    ApiClient admin = stack.client();
    admin.attemptLogin("admin@acme.test", TestStack.PASSWORD);
    error(admin.post("/admin/cache/invalidate", "{\"keys\":[\"has space\"]}"), 400, "invalid_key");
    error(admin.post("/admin/cache/invalidate", "{\"keys\":[\"tenant:someone-else:x\"]}"), 403, "tenant_scope");
    error(admin.post("/admin/cache/invalidate", "{}"), 400, "invalid_request");
    error(admin.post("/admin/cache/invalidate", "{\"keys\":\"tenant:x\"}"), 400, "invalid_field");
  }
}
