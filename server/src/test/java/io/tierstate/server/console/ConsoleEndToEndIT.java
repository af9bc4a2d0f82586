package io.tierstate.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console in a real browser: the console's own end-to-end tests ({@code console/e2e/}, run by
 * Node's test runner, driving Debian's Chromium through playwright-core) against two processes of
 * the shaded server jar on one real PostgreSQL and one real Redis. Each browser test finds elements
 * by role and accessible name, as a screen reader would.
 *
 * <p>{@code -Dconsole.e2e.only=REGEX} runs only the browser tests whose names match.
 *
 * <p>Screenshots go to {@code target/console-screenshots}; {@code -Dconsole.screenshots=DIR}
 * writes them elsewhere ({@code ../docs/console} refreshes the documentation's).
 *
 * <p>{@code -Dconsole.bench=true} also runs the live-invalidation benchmark (a PATCH answered on
 * instance A until browser B on instance B shows it, over 100 changes), whose report goes to
 * {@code target/console-bench.md}.
 */
class ConsoleEndToEndIT {
  private static final Duration E2E_TIMEOUT = Duration.ofMinutes(15);

  @Test
  void theConsolePassesItsBrowserTestsAgainstTwoServerInstances() throws Exception {
    Path log = Path.of("target", "console-e2e.log");
    String screenshots = System.getProperty("console.screenshots", "target/console-screenshots");
    try (ConsoleStack stack = ConsoleStack.start(2)) {
      int exit = stack.runNpm("e2e", log, Map.of("E2E_SCREENSHOTS", Path.of(screenshots).toAbsolutePath().toString(),
          "E2E_ONLY", System.getProperty("console.e2e.only", "."),
          "E2E_REDIS_PORT", Integer.toString(stack.redisPort())), E2E_TIMEOUT);
      assertThat(exit)
          .as("npm run e2e exited with %s (-1: timed out after %s); its output (%s):%n%s", exit, E2E_TIMEOUT,
              log, ConsoleStack.tail(log))
          .isZero();
    }
  }

  /**
   * A node that stops is marked: on a stack of its own (its instance B is killed) with a 1 s
   * heartbeat, the browser test of that name kills instance B as a crash would (SIGKILL, no goodbye
   * in Redis) and waits for the nodes table to mark it stopped. Skipped when {@code
   * -Dconsole.e2e.only} names other tests.
   */
  @Test
  void aNodeThatStopsIsMarkedStopped() throws Exception {
    String test = "a node that stops is marked stopped";
    assumeTrue(Pattern.compile(System.getProperty("console.e2e.only", ".")).matcher(test).find(),
        "-Dconsole.e2e.only does not select '" + test + "'");
    Path log = Path.of("target", "console-e2e-node-stop.log");
    String screenshots = System.getProperty("console.screenshots", "target/console-screenshots");
    try (ConsoleStack stack = ConsoleStack.start(2, Map.of("TIERSTATE_NODE_HEARTBEAT", "1s"))) {
      int exit = stack.runNpm("e2e", log, Map.of("E2E_SCREENSHOTS", Path.of(screenshots).toAbsolutePath().toString(),
          "E2E_ONLY", test, "E2E_STOPPABLE_PID", Long.toString(stack.process(1).pid())), E2E_TIMEOUT);
      assertThat(exit)
          .as("npm run e2e exited with %s (-1: timed out after %s); its output (%s):%n%s", exit, E2E_TIMEOUT,
              log, ConsoleStack.tail(log))
          .isZero();
      assertThat(stack.process(1).isAlive()).as("instance B was killed by the browser test").isFalse();
    }
  }

  @Test
  void liveInvalidationLatencyBenchmark() throws Exception {
    assumeTrue(Boolean.getBoolean("console.bench"), "run with -Dconsole.bench=true");
    Path log = Path.of("target", "console-bench.log");
    Path report = Path.of("target", "console-bench.md").toAbsolutePath();
    try (ConsoleStack stack = ConsoleStack.start(2)) {
      int exit = stack.runNpm("bench:live", log, Map.of("BENCH_REPORT", report.toString(),
          "BENCH_CHANGES", System.getProperty("console.bench.changes", "100")), E2E_TIMEOUT);
      assertThat(exit).as("npm run bench:live exited with %s; its output:%n%s", exit, ConsoleStack.tail(log))
          .isZero();
    }
  }
}
