package io.tierstate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The single entry point of the benchmarks: runs every scenario, in quick or full mode.
 *
 * <pre>
 * "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar io.tierstate.bench.Scenarios --quick
 * "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar io.tierstate.bench.Scenarios --full [--out docs/benchmarks.md]
 * </pre>
 *
 * <p>Quick mode runs each scenario briefly and checks only correctness; the test command runs it
 * ({@code ScenariosIntegrationTests}). Full mode also runs the JMH throughput benchmark and the transport
 * comparison, prints every section and writes the Markdown report. Either mode fails (exit status
 * 1) if a scenario measures something wrong; a missed target is reported, not a failure.
 */
public final class Scenarios {
  private static final String REPRODUCE = "bench/run.sh --full";

  /** The Redis server of the last run, for the report. */
  private static volatile String redisServer = "unknown";

  private Scenarios() {}

  /**
   * Runs the scenarios.
   *
   * @param args {@code --quick} or {@code --full}, and {@code --out FILE} for the report of the
   *     full mode (default {@code docs/benchmarks.md})
   */
  public static void main(String[] args) throws Exception {
    RunArgs parsed = RunArgs.parse(args);
    RunMode mode = parsed.mode();
    Path out = parsed.out() != null ? parsed.out() : Path.of("docs/benchmarks.md");
    long start = System.nanoTime();
    String loadBefore = RunArgs.loadAverage();
    List<Section> sections = run(mode);
    String loadAfter = RunArgs.loadAverage();
    for (Section section : sections) {
      System.out.println(section.markdown());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start).truncatedTo(ChronoUnit.SECONDS);
    if (mode == RunMode.FULL) {
      Files.writeString(out, report(sections, took, loadBefore, loadAfter), StandardCharsets.UTF_8);
      System.out.println("Wrote " + out.toAbsolutePath() + " (" + took + ")");
    } else {
      System.out.println("Quick mode: every check passed (" + took + ")");
    }
    System.exit(0); // Redisson and JetCache leave non-daemon threads behind
  }

  /**
   * Runs every scenario in {@code mode} on one Redis ({@code REDIS_URL}, or one started here).
   *
   * @throws IllegalStateException if a scenario measured something wrong
   */
  public static List<Section> run(RunMode mode) throws Exception {
    // Netty's NIO transport, what a Lettuce user gets by default; the full mode measures epoll
    // in a child JVM. Must be set before Lettuce loads.
    System.setProperty("io.lettuce.core.epoll", "false");
    List<Section> sections = new ArrayList<>();
    if (mode == RunMode.FULL) {
      sections.add(ThroughputScenario.run());
      sections.add(HotPathScenario.run());
    }
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      redisServer = redis.describe();
      sections.add(LatencyScenario.run(redis, mode));
      sections.add(TlsLatencyScenario.run(mode));
      if (mode == RunMode.FULL) {
        sections.add(transportComparison(redis));
      }
      sections.add(GetAllScenario.run(redis, mode));
      sections.add(StampedeScenario.run(redis, mode));
      sections.add(InvalidationScenario.run(redis, mode));
      sections.add(PrimitivesScenario.run(redis, mode));
      sections.add(PostgresWorkload.run(redis, mode));
    }
    return sections;
  }

  /**
   * The latency of the L2 path and the socket floor again, in a child JVM where Lettuce uses
   * Netty's native epoll transport instead of NIO.
   */
  private static Section transportComparison(BenchRedis redis) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder child = new ProcessBuilder(java.toString(), "-Dio.lettuce.core.epoll=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        LatencyScenario.class.getName(), "full",
        Implementation.LETTUCE_JACKSON.name() + "," + Implementation.TIERSTATE_L2_SHARED.name())
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    child.environment().put("REDIS_URL", redis.url());
    Process process = child.start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Checks.check(process.waitFor(5, TimeUnit.MINUTES) && process.exitValue() == 0,
        "the epoll latency run failed:\n" + output);
    List<String> tables = output.lines().filter(line -> line.startsWith("|")).toList();
    Section section = new Section("Tuning the L2 path: Netty epoll instead of NIO");
    section.paragraph("The same latency measurement in a child JVM with `-Dio.lettuce.core.epoll=true`"
        + " (`netty-transport-native-epoll` is on the class path), for the subjects whose reads go"
        + " through Lettuce (raw Lettuce, Tierstate on its shared connection), Tierstate's default read"
        + " path (which does not use Netty for reads) and the socket floor, measured again side by side."
        + " Compare the ratios to the floor with those of the NIO table above; the absolute figures come"
        + " from another moment of a noisy machine. No target: this only shows whether the transport"
        + " alone would have closed the gap.");
    section.paragraph(String.join("\n", tables.stream().takeWhile(line -> !line.startsWith("| target")).toList()));
    return section;
  }

  private static String report(List<Section> sections, Duration took, String loadBefore, String loadAfter)
      throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("# Benchmarks\n\n")
        .append("<!-- Written by `").append(REPRODUCE).append("` (io.tierstate.bench.Scenarios --full):")
        .append(" edit bench/src/main/resources/io/tierstate/bench/benchmarks-intro.md and")
        .append(" benchmarks-notes.md, not this file. -->\n\n");
    out.append(resource("benchmarks-intro.md")).append('\n');
    out.append("## This run\n\n");
    Table machine = new Table("", "");
    machine.row("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    machine.row("command", "`" + REPRODUCE + "` (took " + took.toMinutes() + " min " + took.toSecondsPart() + " s)");
    machine.row("machine", Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel() + ", "
        + memory() + " memory");
    // How busy the shared machine was: the figures are only as steady as this.
    machine.row("load average (1, 5, 15 min)", "at the start " + loadBefore + ", at the end " + loadAfter);
    machine.row("OS", osName() + " (" + System.getProperty("os.name") + " " + System.getProperty("os.version") + ")");
    machine.row("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    machine.row("Redis", redisServer);
    machine.row("libraries", versions());
    out.append(machine.markdown()).append('\n');
    out.append("### Targets\n\n");
    Table targets = new Table("scenario", "target", "measured", "verdict");
    for (Section section : sections) {
      for (Section.Target t : section.targets()) {
        targets.row(t.scenario(), t.goal(), t.measured(), t.met() ? "met" : "**MISSED**");
      }
    }
    out.append(targets.markdown()).append('\n');
    for (Section section : sections) {
      out.append(section.markdown());
    }
    // The console's figures come from their own command (bench/console.sh); kept across full runs.
    out.append(resource("benchmarks-console.md")).append('\n');
    // And the dashboard's (bench/dashboard.sh).
    out.append(resource("benchmarks-dashboard.md")).append('\n');
    // So are the Spring Boot service's (bench/spring.sh).
    out.append(resource("benchmarks-spring.md")).append('\n');
    // And the change stream's (bench/postgres-cdc.sh).
    out.append(resource("benchmarks-cdc.md")).append('\n');
    // Its figure (b) through the reference server's event stream (bench/postgres-cdc.sh as well).
    out.append(resource("benchmarks-cdc-sse.md")).append('\n');
    out.append(resource("benchmarks-notes.md"));
    return out.toString();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Scenarios.class.getResourceAsStream(name)) {
      Checks.check(in != null, "resource " + name + " is missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String versions() throws IOException {
    Properties versions = new Properties();
    try (InputStream in = Scenarios.class.getResourceAsStream("versions.properties")) {
      Checks.check(in != null, "resource versions.properties is missing");
      versions.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }
    List<String> found = new ArrayList<>();
    for (String name : List.of("Lettuce", "Netty", "Caffeine", "Jackson", "Redisson", "JetCache",
        "Spring Data Redis", "PostgreSQL JDBC", "HdrHistogram", "JMH")) {
      found.add(name + " " + versions.getProperty(name, "?"));
    }
    return String.join(", ", found);
  }

  private static String memory() {
    String total = firstValue(Path.of("/proc/meminfo"), "MemTotal", ":"); // "24683656 kB"
    try {
      long kib = Long.parseLong(total.replace("kB", "").strip());
      return String.format(java.util.Locale.ROOT, "%.1f GiB", kib / (1024.0 * 1024.0));
    } catch (NumberFormatException e) {
      return total;
    }
  }

  private static String cpuModel() {
    return firstValue(Path.of("/proc/cpuinfo"), "model name", ":");
  }

  private static String osName() {
    String name = firstValue(Path.of("/etc/os-release"), "PRETTY_NAME", "=");
    return name.replace("\"", "");
  }

  private static String firstValue(Path file, String key, String separator) {
    try (Stream<String> lines = Files.lines(file)) {
      @Nullable String value = lines.filter(line -> line.startsWith(key))
          .map(line -> line.substring(line.indexOf(separator) + 1).strip()).findFirst().orElse(null);
      return value == null ? "unknown" : value;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
