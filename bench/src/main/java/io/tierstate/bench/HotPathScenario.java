package io.tierstate.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link HotPathBenchmark} through JMH's API and reports each operation next to its peer. */
final class HotPathScenario {
  /** An operation of Tierstate's, the same work done without it, and what the difference is. */
  private record Row(String ours, String peer, String what) {}

  private static final List<Row> ROWS = List.of(
      new Row("codecDecode", "jacksonDecode", "decode a value: `JacksonCodec` / plain `ObjectReader`"),
      new Row("codecEncode", "jacksonEncode", "encode a value: `JacksonCodec` / plain `ObjectWriter`"),
      new Row("tenantKey", "concatenatedKey", "build a tenant key: `CacheKeys.tenant(t).entity(..)` / concatenation"),
      new Row("validateKey", "", "check a key: `CacheKeys.requireValidKey`"));

  /** The JMH settings: short, as the operations are a few hundred nanoseconds. */
  static final String SETTINGS = "-f 1 -wi 2 -w 1s -i 3 -r 1s";

  private HotPathScenario() {}

  static Section run() throws RunnerException {
    Options options = new OptionsBuilder()
        .include(HotPathBenchmark.class.getName() + "\\.")
        .forks(1)
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(3)
        .measurementTime(TimeValue.seconds(1))
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    Map<String, Double> nanos = new HashMap<>();
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      nanos.put(method.substring(method.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
    }
    Section section = new Section("In-process hot paths (JMH)");
    section.paragraph("`HotPathBenchmark` (`" + SETTINGS + "`), one thread, nanoseconds per operation;"
        + " a " + Value.JSON_BYTES + "-byte `Value`. The ratio divides Tierstate's time by the peer's:"
        + " what Tierstate's checks and envelope-independent codec work add to the same operation. The L1"
        + " hit path is in the throughput table above (`TIERSTATE_L1` against `CAFFEINE`).");
    Table table = new Table("operation", "Tierstate ns/op", "peer ns/op", "Tierstate / peer");
    for (Row row : ROWS) {
      double ours = Objects.requireNonNull(nanos.get(row.ours()), row.ours());
      Double peer = row.peer().isEmpty() ? null : nanos.get(row.peer());
      table.row(row.what(), Section.number(ours, 1), peer == null ? "" : Section.number(peer, 1),
          peer == null ? "" : Section.ratio(ours / peer));
    }
    section.table(table);
    return section;
  }
}
