package io.tierstate.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console's files from a classpath fixture ({@code src/test/resources/console-fixture}): the
 * SPA fallback, the cache headers per kind of file, the security headers, and the server's own
 * paths staying JSON; and a server without a console.
 */
class ConsoleIntegrationTests {
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
      + "frame-ancestors 'none'";

  @RegisterExtension
  static final TestStack stack = TestStack.withServer(Map.of(), List.of(new ConsoleFeature("console-fixture")));

  private static String fixture(String path) {
    try (InputStream in = ConsoleIntegrationTests.class.getClassLoader()
        .getResourceAsStream("console-fixture/" + path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertSecurityHeaders(Answer answer) {
    assertThat(answer.header("Content-Security-Policy")).isEqualTo(CSP);
    assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(answer.header("Referrer-Policy")).isEqualTo("same-origin");
    assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
  }

  @Test
  void theRootAndEveryClientRouteAnswerIndexHtmlRevalidatedEachTime() {
    ApiClient browser = stack.client();
    String index = fixture("index.html");
    for (String path : List.of("/", "/users", "/users/3f2c1a9e-8d4b-4c1e-9a7f-2b6d5e8c0f13", "/profile", "/devices",
        "/tenants", "/sign-in", "/sign-in?next=%2Fusers", "/index.html", "/no-such-page.png")) {
      Answer answer = browser.get(path);
      assertThat(answer.status()).as(path).isEqualTo(200);
      assertThat(answer.body()).as(path).isEqualTo(index);
      assertThat(answer.header("Content-Type")).as(path).isEqualTo("text/html;charset=utf-8");
      assertThat(answer.header("Cache-Control")).as(path).isEqualTo("no-cache");
      assertSecurityHeaders(answer);
    }
    // Revalidation: the same index answers 304 to its own ETag.
    Answer first = browser.get("/users");
    Answer again = browser.get("/devices", Map.of("If-None-Match", first.header("ETag")));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void hashedAssetsAreCachedForAYearAndOtherFilesRevalidated() {
    ApiClient browser = stack.client();
    Answer script = browser.get("/assets/app-abc123.js");
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.body()).isEqualTo(fixture("assets/app-abc123.js"));
    assertThat(script.header("Content-Type")).isEqualTo("text/javascript;charset=utf-8");
    assertThat(script.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    assertSecurityHeaders(script);
    assertThat(browser.get("/assets/app-abc123.js", Map.of("If-None-Match", script.header("ETag"))).status())
        .isEqualTo(304);

    Answer style = browser.get("/assets/app-abc123.css");
    assertThat(style.header("Content-Type")).isEqualTo("text/css;charset=utf-8");
    assertThat(style.body()).isEqualTo(fixture("assets/app-abc123.css"));

    Answer icon = browser.get("/favicon.svg");
    assertThat(icon.status()).isEqualTo(200);
    assertThat(icon.header("Content-Type")).isEqualTo("image/svg+xml");
    assertThat(icon.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(icon.body()).isEqualTo(fixture("favicon.svg"));
  }

  @Test
  void aMissingAssetIsA404NeverIndexHtml() {
    ApiClient browser = stack.client();
    for (String path : List.of("/assets/app-old999.js", "/assets/", "/assets/nested/app-abc123.js")) {
      Answer answer = browser.get(path);
      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(answer.header("Content-Type")).as(path).startsWith("application/json");
      assertThat(answer.errorCode()).as(path).isEqualTo("not_found");
      assertThat(answer.body()).as(path).doesNotContain("<html");
    }
  }

  @Test
  void theServersOwnPathsStayJsonAndItsRoutesStillWin() {
    ApiClient browser = stack.client();
    for (String path : List.of("/api", "/api/v1/nowhere", "/api/v1/tenants/x/nowhere", "/admin", "/admin/nowhere",
        "/healthz", "/health/nowhere", "/metrics/nowhere")) {
      Answer answer = browser.get(path);
      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(answer.header("Content-Type")).as(path).startsWith("application/json");
      assertThat(answer.errorCode()).as(path).isEqualTo("not_found");
    }
    // Every other route is registered before the console's catch-all, so none is shadowed.
    assertThat(browser.get("/openapi.json").json().path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(browser.get("/health").json().path("status").asText()).isIn("HEALTHY", "DEGRADED");
    assertThat(browser.get("/api/v1/reference/countries").json().path("items").size()).isGreaterThan(200);
    assertThat(browser.get("/api/v1/auth/session").errorCode()).isEqualTo("not_authenticated");
    // Unsafe methods on console paths are not served the page.
    Answer post = browser.post("/users", Map.of());
    assertThat(post.status()).isEqualTo(404);
    assertThat(post.errorCode()).isEqualTo("not_found");
  }

  @Test
  void pathsOutsideTheConsoleFolderAreNeverServed() {
    ApiClient browser = stack.client();
    String index = fixture("index.html");
    // The test classpath holds logback-test.xml and the server's classes next to the fixture.
    for (String path : List.of("/logback-test.xml", "/.hidden", "/assets/..%2F..%2Flogback-test.xml",
        "/%2e%2e/logback-test.xml", "/io/tierstate/server/Main.class", "/assets/.%2e/index.html")) {
      Answer answer = browser.get(path);
      assertThat(answer.body()).as(path).doesNotContain("<configuration").doesNotContain("Main");
      if (answer.status() == 200) {
        assertThat(answer.body()).as(path).isEqualTo(index);
      }
    }
  }

  @Test
  void withoutAConsoleTheRootSaysItWasNotBuiltAndTheApiWorks() {
    TierstateServer bare = stack.startServer(Map.of(), List.of(new ConsoleFeature("no-console-in-this-build")));
    ApiClient browser = TestStack.client(bare);
    for (String path : List.of("/", "/users", "/sign-in")) {
      Answer answer = browser.get(path);
      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(answer.header("Content-Type")).as(path).startsWith("application/json");
      assertThat(answer.errorCode()).isEqualTo("not_found");
      assertThat(answer.json().at("/error/message").asText()).contains("console is not part of this build");
    }
    assertThat(browser.get("/api/v1/nowhere").errorCode()).isEqualTo("not_found");
    assertThat(browser.login("alice@acme.test", TestStack.PASSWORD).status()).isEqualTo(200);
    assertThat(browser.get("/api/v1/auth/session").status()).isEqualTo(200);
  }
}
