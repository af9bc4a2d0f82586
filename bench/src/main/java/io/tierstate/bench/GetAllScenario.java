package io.tierstate.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Reading {@value #BATCH} keys from Redis at once ({@link CacheAdapter#getAll}) against {@value
 * #BATCH} single gets one after the other, for Tierstate's L2 ({@code getAll}, L1 disabled) and for
 * raw Lettuce ({@code MGET} and a Jackson decode per value). The two ways and the two subjects are
 * interleaved, batch by batch, so that they share the machine's noise.
 */
final class GetAllScenario {
  static final int BATCH = 100;
  private static final int KEYS = 10_000;
  private static final List<Implementation> SUBJECTS =
      List.of(Implementation.TIERSTATE_L2, Implementation.TIERSTATE_L2_SHARED, Implementation.LETTUCE_JACKSON);

  private GetAllScenario() {}

  /** Runs the scenario alone and prints its section. */
  public static void main(String[] args) throws Exception {
    try (BenchRedis redis = BenchRedis.startOrConnect()) {
      System.out.println(run(redis, RunMode.FULL).markdown());
    }
  }

  /**
   * Measures and reports; in any mode, fails if a batch read does not return all {@value #BATCH}
   * values, each the one written.
   */
  static Section run(BenchRedis redis, RunMode mode) {
    int batches = mode.pick(20, 1_000);
    int warmUp = mode.pick(5, 3_000); // the batch path takes thousands of calls to be compiled
    Map<String, Value> entries = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      entries.put("batch:" + i, Value.of(i));
    }
    List<String> names = List.copyOf(entries.keySet());
    int[] order = KeyDistribution.UNIFORM.draw(KEYS, BATCH * (batches + warmUp), 7);
    Map<Implementation, Histogram> batched = new LinkedHashMap<>();
    Map<Implementation, Histogram> singles = new LinkedHashMap<>();
    List<CacheAdapter> adapters = new ArrayList<>();
    try {
      for (Implementation subject : SUBJECTS) {
        CacheAdapter adapter = subject.create(redis, KEYS);
        adapters.add(adapter);
        adapter.populate(entries);
        batched.put(subject, new Histogram(60_000_000_000L, 3));
        singles.put(subject, new Histogram(60_000_000_000L, 3));
      }
      for (int b = 0; b < batches + warmUp; b++) {
        List<String> keys = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
          keys.add(names.get(order[b * BATCH + i]));
        }
        for (int s = 0; s < SUBJECTS.size(); s++) {
          CacheAdapter adapter = adapters.get(s);
          long start = System.nanoTime();
          Map<String, Value> all = adapter.getAll(keys);
          long middle = System.nanoTime();
          int found = 0;
          for (String key : keys) {
            found += adapter.get(key) != null ? 1 : 0;
          }
          long end = System.nanoTime();
          check(SUBJECTS.get(s), keys, all, entries);
          Checks.check(found == BATCH, SUBJECTS.get(s) + " found " + found + " of " + BATCH + " single gets");
          if (b >= warmUp) {
            Objects.requireNonNull(batched.get(SUBJECTS.get(s))).recordValue(middle - start);
            Objects.requireNonNull(singles.get(SUBJECTS.get(s))).recordValue(end - middle);
          }
        }
      }
    } finally {
      adapters.forEach(CacheAdapter::close);
    }
    return report(batched, singles, batches);
  }

  private static void check(Implementation subject, List<String> keys, Map<String, Value> all,
      Map<String, Value> entries) {
    Checks.check(all.size() == new java.util.HashSet<>(keys).size(),
        subject + " getAll returned " + all.size() + " values for " + keys.size() + " keys");
    for (String key : keys) {
      Checks.check(Objects.equals(entries.get(key), all.get(key)), subject + " getAll returned a wrong value for " + key);
    }
  }

  private static Section report(Map<Implementation, Histogram> batched, Map<Implementation, Histogram> singles,
      int batches) {
    Section section = new Section("getAll of " + BATCH + " keys against " + BATCH + " single gets");
    section.paragraph(String.format(Locale.ROOT,
        "%,d batches of %d random keys (of %,d) after a warm-up; for each batch and subject, one"
            + " batch read then %d single gets of the same keys, one after the other, on one thread."
            + " `TIERSTATE_L2` is `cache().getAll(keys, Value.class)` with L1 disabled, one `MGET` on the"
            + " caller's thread; `TIERSTATE_L2_SHARED` the same through Lettuce's shared connection;"
            + " `LETTUCE_JACKSON` is one `MGET` and a Jackson decode per value. Times are per batch"
            + " of %d keys; the speed-up is the median time of %d gets over the median time of one"
            + " batch read.", batches, BATCH, KEYS, BATCH, BATCH, BATCH));
    Table table = new Table("subject", "batch read p50 µs", "batch read p99 µs", BATCH + " gets p50 µs",
        BATCH + " gets p99 µs", "speed-up");
    double tierstateSpeedUp = 0;
    for (Implementation subject : SUBJECTS) {
      Histogram one = Objects.requireNonNull(batched.get(subject));
      Histogram many = Objects.requireNonNull(singles.get(subject));
      double speedUp = (double) many.getValueAtPercentile(50) / one.getValueAtPercentile(50);
      if (subject == Implementation.TIERSTATE_L2) {
        tierstateSpeedUp = speedUp;
      }
      table.row("`" + subject + "`", Section.micros(one.getValueAtPercentile(50)), Section.micros(one.getValueAtPercentile(99)),
          Section.micros(many.getValueAtPercentile(50)), Section.micros(many.getValueAtPercentile(99)), Section.ratio(speedUp));
    }
    section.table(table);
    double ratio = (double) Objects.requireNonNull(batched.get(Implementation.LETTUCE_JACKSON)).getValueAtPercentile(50)
        / Objects.requireNonNull(batched.get(Implementation.TIERSTATE_L2)).getValueAtPercentile(50);
    section.paragraph("Tierstate `getAll` against Lettuce `MGET` + Jackson (p50 of the peer over Tierstate's,"
        + " above 1 means Tierstate is faster): " + Section.ratio(ratio) + ".");
    section.target("Tierstate getAll(" + BATCH + ") at least 20x faster than " + BATCH + " single gets",
        Section.ratio(tierstateSpeedUp), tierstateSpeedUp >= 20);
    return section;
  }
}
