package io.tierstate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Hit throughput: runs {@link GetBenchmark} through JMH's API (one fork per implementation, key
 * distribution and thread count) and reports every score with the ratios to Tierstate.
 */
final class ThroughputScenario {
  /** A pair compared: Tierstate's subject, the peer, and the target (0 when there is none). */
  private record Pair(String label, Implementation ours, Implementation peer, double target, String goal) {}

  private static final List<Pair> PAIRS = List.of(
      new Pair("L1 hit: Tierstate / Caffeine", Implementation.TIERSTATE_L1, Implementation.CAFFEINE, 0.5,
          "L1 hit at least 0.5x Caffeine alone"),
      new Pair("L1 hit: Tierstate / JetCache local", Implementation.TIERSTATE_L1, Implementation.JETCACHE_LOCAL, 3,
          "L1 hit at least 3x JetCache's local hit"),
      new Pair("L1 hit: Tierstate / Redisson local cached map", Implementation.TIERSTATE_L1,
          Implementation.REDISSON_LOCAL_CACHED_MAP, 0, ""),
      new Pair("L2 hit: Tierstate / Lettuce + Jackson", Implementation.TIERSTATE_L2, Implementation.LETTUCE_JACKSON,
          0.9, "L2 hit at least 0.9x raw Lettuce + Jackson"),
      new Pair("L2 hit: Tierstate / Redisson RBucket", Implementation.TIERSTATE_L2, Implementation.REDISSON_BUCKET,
          1, "L2 hit above Redisson RBucket"),
      new Pair("L2 hit: Tierstate / JetCache remote", Implementation.TIERSTATE_L2, Implementation.JETCACHE_REMOTE,
          1, "L2 hit above JetCache remote"),
      new Pair("L2 hit: Tierstate / Spring Data Redis", Implementation.TIERSTATE_L2,
          Implementation.SPRING_DATA_REDIS, 1, "L2 hit above Spring Data Redis"),
      new Pair("L2 hit: Tierstate / socket floor", Implementation.TIERSTATE_L2, Implementation.SOCKET_FLOOR, 0, ""),
      new Pair("L2 hit: Tierstate / Tierstate through Lettuce's shared connection", Implementation.TIERSTATE_L2,
          Implementation.TIERSTATE_L2_SHARED, 0, ""));

  /** The columns: key distribution and benchmark method (thread count). */
  private static final List<String[]> COLUMNS = List.of(
      new String[] {"UNIFORM", "oneThread", "uniform, 1 thread"},
      new String[] {"UNIFORM", "fourThreads", "uniform, 4 threads"},
      new String[] {"ZIPF", "oneThread", "Zipf, 1 thread"},
      new String[] {"ZIPF", "fourThreads", "Zipf, 4 threads"});

  private ThroughputScenario() {}

  /** The JMH settings of the full mode: short, for a 2-core machine and a 15-minute budget. */
  static final String SETTINGS = "-f 1 -wi 1 -w 2s -i 2 -r 2s";

  static Section run() throws RunnerException, IOException {
    Path warnings = Files.createTempFile("bench-warnings", ".txt");
    try {
      Options options = new OptionsBuilder()
          .include(GetBenchmark.class.getName() + "\\.")
          .param("implementation", names())
          .forks(1)
          .warmupIterations(1)
          .warmupTime(TimeValue.seconds(2))
          .measurementIterations(2)
          .measurementTime(TimeValue.seconds(2))
          .jvmArgsAppend("-D" + GetBenchmark.WARNINGS_PROPERTY + "=" + warnings)
          .shouldFailOnError(true)
          .build();
      Collection<RunResult> results = new Runner(options).run();
      return report(results, Files.readAllLines(warnings, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(warnings);
    }
  }

  private static String[] names() {
    List<String> names = new ArrayList<>();
    for (Implementation implementation : Implementation.values()) {
      names.add(implementation.name());
    }
    return names.toArray(String[]::new);
  }

  private static Section report(Collection<RunResult> results, List<String> warnings) {
    Map<String, Double> scores = new HashMap<>();
    Map<String, Double> errors = new HashMap<>();
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      String id = result.getParams().getParam("implementation") + "/" + result.getParams().getParam("keys") + "/"
          + method;
      scores.put(id, result.getPrimaryResult().getScore());
      errors.put(id, result.getPrimaryResult().getScoreError());
    }
    Section section = new Section("Hit throughput (JMH)");
    section.paragraph("`GetBenchmark`: " + GetBenchmark.KEYS + " keys of " + Value.JSON_BYTES + " bytes of JSON,"
        + " read by 1 and by 4 threads, keys picked uniformly or Zipf-skewed (s = "
        + KeyDistribution.ZIPF_EXPONENT + "), each combination in its own JMH fork (`" + SETTINGS + "`)."
        + " Operations per second; ± is JMH's 99.9% error over the 2 measured iterations.");
    String[] header = new String[COLUMNS.size() + 1];
    header[0] = "implementation";
    for (int c = 0; c < COLUMNS.size(); c++) {
      header[c + 1] = COLUMNS.get(c)[2];
    }
    Table scoreTable = new Table(header);
    for (Implementation implementation : Implementation.values()) {
      String[] row = new String[COLUMNS.size() + 1];
      row[0] = "`" + implementation + "`";
      for (int c = 0; c < COLUMNS.size(); c++) {
        String id = id(implementation, COLUMNS.get(c));
        Double score = scores.get(id);
        Double error = errors.get(id);
        row[c + 1] = score == null ? "-" : Section.number(score, 0)
            + (error == null || error.isNaN() ? "" : " ± " + Section.number(error, 0));
      }
      scoreTable.row(row);
    }
    section.table(scoreTable);

    String[] ratioHeader = new String[COLUMNS.size() + 2];
    ratioHeader[0] = "ratio (above 1: Tierstate faster)";
    for (int c = 0; c < COLUMNS.size(); c++) {
      ratioHeader[c + 1] = COLUMNS.get(c)[2];
    }
    ratioHeader[COLUMNS.size() + 1] = "target";
    Table ratios = new Table(ratioHeader);
    for (Pair pair : PAIRS) {
      String[] row = new String[COLUMNS.size() + 2];
      row[0] = pair.label();
      double worst = Double.MAX_VALUE;
      for (int c = 0; c < COLUMNS.size(); c++) {
        Double ours = scores.get(id(pair.ours(), COLUMNS.get(c)));
        Double peer = scores.get(id(pair.peer(), COLUMNS.get(c)));
        if (ours == null || peer == null) {
          row[c + 1] = "-";
          worst = 0;
          continue;
        }
        double ratio = ours / peer;
        worst = Math.min(worst, ratio);
        row[c + 1] = Section.ratio(ratio);
      }
      boolean strictlyAbove = pair.target() == 1;
      row[COLUMNS.size() + 1] = pair.target() == 0 ? "-"
          : (strictlyAbove ? "> " : ">= ") + Section.ratio(pair.target());
      ratios.row(row);
      if (pair.target() > 0) {
        boolean met = strictlyAbove ? worst > pair.target() : worst >= pair.target();
        section.target(pair.goal() + " (all four columns)", "lowest " + Section.ratio(worst), met);
      }
    }
    section.table(ratios);
    if (warnings.isEmpty()) {
      section.paragraph("No measurement warning: every adapter's reads were answered by the tier it measures.");
    } else {
      section.paragraph("Measurement warnings (a ratio beside such a warning does not measure pure hits): "
          + String.join("; ", warnings));
    }
    return section;
  }

  private static String id(Implementation implementation, String[] column) {
    return implementation + "/" + column[0] + "/" + column[1];
  }
}
