package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, after {@code mvn package}: {@code java -jar
 * server/target/tierstate-server.jar} with nothing configured starts an embedded PostgreSQL and
 * Redis, serves the demo login and the web console, and stops cleanly on SIGTERM.
 */
class RunnableJarIT {

  @Test
  void theShadedJarStartsWithEmbeddedServersServesTheDemoLoginAndStopsOnSigterm() throws Exception {
    Path jar = Path.of("target", "tierstate-server.jar");
    assertThat(jar).as("run 'mvn package' first").exists();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = Path.of("target", "runnable-jar-it.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-jar", jar.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("DATABASE_") || name.startsWith("REDIS_"));
    builder.environment().put("PORT", Integer.toString(port));
    builder.environment().put("TIERSTATE_DEMO", "true");
    Process server = builder.start();
    try {
      ApiClient browser = new ApiClient("http://localhost:" + port, "127.0.0.1");
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (!answers(browser)) {
        assertThat(server.isAlive()).as("the server exited; see %s", log).isTrue();
        assertThat(System.nanoTime()).as("not up within 120 s; see %s", log).isLessThan(deadline);
        Thread.sleep(250);
      }
      Answer login = browser.attemptLogin("admin@acme.test", "tierstate-demo");
      assertThat(login.status()).as(login.body()).isEqualTo(200);
      assertThat(browser.get("/api/v1/auth/session").body()).contains("\"slug\":\"acme\"");
      // The jar carries the web console: its page at /, and a client route falls back to it.
      for (String page : new String[] {"/", "/users"}) {
        Answer console = browser.get(page);
        assertThat(console.status()).as(page).isEqualTo(200);
        assertThat(console.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(console.body()).contains("<div id=\"root\">").containsPattern("src=\"/assets/[^\"]+\\.js\"");
      }
      assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("Demo data: tenants acme, globex and platform");
    } finally {
      server.destroy(); // SIGTERM
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(output).contains("tierstate-server stopped").doesNotContain("level=ERROR");
  }

  private static boolean answers(ApiClient browser) {
    try {
      return browser.get("/health").status() == 200;
    } catch (java.io.UncheckedIOException e) {
      return false;
    }
  }
}
