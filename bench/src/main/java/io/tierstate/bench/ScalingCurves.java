package io.tierstate.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How Tierstate's costs grow with its work: tag and pattern invalidation by size, propagation by
 * node count, memory per entry, write-behind by node count. Writes {@code docs/scaling.md} and its
 * charts ({@code docs/scaling/*.png}).
 *
 * <pre>
 * "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar io.tierstate.bench.ScalingCurves --full [--out docs/scaling.md]
 * "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar io.tierstate.bench.ScalingCurves --quick
 * </pre>
 *
 * <p>Quick mode runs every curve at its smallest sizes and checks only correctness (the test command
 * runs it, {@code ScalingCurvesIntegrationTests}); it writes its report and charts under {@code
 * bench/target/scaling-quick} unless {@code --out} says otherwise.
 */
public final class ScalingCurves {
  private static final String REPRODUCE = "bench/run.sh --scaling";
  private static final Set<String> CURVES =
      new LinkedHashSet<>(List.of("tags", "patterns", "propagation", "memory", "write-behind"));

  private ScalingCurves() {}

  public static void main(String[] args) throws Exception {
    RunArgs parsed = RunArgs.parse(args, "only");
    RunMode mode = parsed.mode();
    Path out = parsed.out();
    Set<String> curves = parsed.options().containsKey("only") ? only(parsed.options().get("only")) : CURVES;
    if (out == null) {
      out = mode == RunMode.FULL ? Path.of("docs/scaling.md") : Path.of("bench/target/scaling-quick/scaling.md");
    }
    run(mode, out, curves);
  }

  private static Set<String> only(String list) {
    Set<String> chosen = new LinkedHashSet<>(Arrays.asList(list.split(",")));
    for (String curve : chosen) {
      if (!CURVES.contains(curve)) {
        throw new IllegalArgumentException("unknown curve '" + curve + "'; choose among " + CURVES);
      }
    }
    return chosen;
  }

  /** Runs every curve and writes the report to {@code out}, charts beside it under {@code scaling/}. */
  static void run(RunMode mode, Path out) throws Exception {
    run(mode, out, CURVES);
  }

  static void run(RunMode mode, Path out, Set<String> curves) throws Exception {
    Path directory = out.toAbsolutePath().getParent();
    if (directory == null) {
      throw new IllegalArgumentException("the report needs a directory: " + out);
    }
    Path charts = directory.resolve("scaling");
    long start = System.nanoTime();
    String load = RunArgs.loadAverage();
    List<Section> sections = new ArrayList<>();
    String server;
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      server = redis.describe();
      if (curves.contains("tags")) {
        sections.add(report(TagInvalidationCurve.run(redis,
          mode == RunMode.QUICK ? new int[] {1_000} : new int[] {1_000, 10_000, 100_000, 1_000_000}, charts)));
      }
      if (curves.contains("patterns")) {
        sections.add(report(PatternInvalidationCurve.run(redis,
            mode == RunMode.QUICK ? new int[] {1_000} : new int[] {10_000, 100_000, 1_000_000},
            mode.pick(1_000, 100_000), charts)));
      }
      if (curves.contains("propagation")) {
        sections.add(report(PropagationCurve.run(redis,
            mode == RunMode.QUICK ? new int[] {2, 4} : new int[] {2, 4, 8, 16}, mode.pick(20, 300), charts)));
      }
      if (curves.contains("memory")) {
        sections.add(report(EntryMemoryCurve.run(redis, mode.pick(2_000, 100_000))));
      }
      if (curves.contains("write-behind")) {
        sections.add(report(WriteBehindCurve.run(redis,
            mode == RunMode.QUICK ? new int[] {1, 2} : new int[] {1, 2, 4}, mode.pick(2_000, 40_000), charts)));
      }
    }
    StringBuilder doc = new StringBuilder("""
        # Scaling: how Tierstate's costs grow

        <!-- Written by %s; edit the text in bench/src/main/java/io/tierstate/bench/ScalingCurves.java. -->

        Cost curves of the operations whose work grows with data or with the cluster: tag and pattern \
        invalidation by size (and whether other clients of Redis stay served meanwhile), invalidation \
        propagation by node count, memory per cached entry in the JVM and in Redis, and write-behind \
        throughput by node count. Reproduce with `%s` (about %d minutes on 2 cores, Redis started for it); \
        `bench/run.sh --scaling-quick` runs every curve at its smallest size in seconds and checks only \
        correctness (the test command runs it).

        Last run: %s, %s, %d cores, JDK %s, load average before the run %s, %.0f minutes. This \
        machine is shared and noisy: read times as orders of magnitude and slopes, not as exact \
        figures; memory figures are exact counts and do not vary between runs. What these curves \
        mean for users, and the limits they set, is in [guarantees.md](guarantees.md#10-limits-at-scale).

        """.formatted(REPRODUCE, REPRODUCE, 8,
        Instant.now().truncatedTo(ChronoUnit.MINUTES), server, Runtime.getRuntime().availableProcessors(),
        Runtime.version().feature(), load, (System.nanoTime() - start) / 60e9));
    for (Section section : sections) {
      doc.append(section.markdown().replaceFirst("^### ", "## "));
    }
    Files.createDirectories(directory);
    Files.writeString(out, doc.toString(), StandardCharsets.UTF_8);
    System.out.println("wrote " + out + " and its charts in " + charts);
  }

  private static Section report(Section section) {
    System.out.println(section.markdown());
    return section;
  }
}
