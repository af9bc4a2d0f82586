package io.tierstate.bench;

import io.tierstate.Tierstate;
import java.nio.file.Path;

/**
 * {@code invalidatePattern} over 10⁴ … 10⁶ matching keys, in a keyspace that also holds keys the
 * pattern does not match (SCAN walks the whole keyspace, so its cost follows the database's size as
 * well as the matches').
 */
final class PatternInvalidationCurve {
  private PatternInvalidationCurve() {}

  static Section run(BenchRedis redis, int[] sizes, int others, Path charts) throws Exception {
    Table table = new Table("matching keys", "other keys", "invalidatePattern", "per 1,000 matches",
        "other client p99 / max, idle (ms)", "during (ms)", "longest GC pause / Redis event, during (ms)");
    Charts.Chart time = new Charts.Chart("invalidatePattern: time by matching keys", "matching keys", "ms")
        .logX().logY();
    Charts.Chart other = new Charts.Chart("Another client's GET while a pattern is invalidated",
        "matching keys", "ms").logX().logY();
    try (ScalingRedis plain = new ScalingRedis(redis)) {
      for (int matching : sizes) {
        plain.flush();
        try (Tierstate node = Tierstate.create(redis.tierstateConfig().namespace("scale-pattern")
            .nodeId("scale-pattern").l1MaximumSize(1_000).build())) {
          ScalingRedis.fill(node, "other:", others, ScalingRedis.HOUR);
          ScalingRedis.fill(node, "match:", matching, ScalingRedis.HOUR);
          long[] removed = new long[1];
          OtherClientProbe.Measured m = OtherClientProbe.measure(redis.url(),
              () -> removed[0] = node.invalidator().invalidatePattern("match:*"));
          Checks.check(removed[0] == matching,
              "invalidatePattern removed " + removed[0] + " of " + matching + " matching entries");
          Checks.check(node.cache().keys("other:*").size() == others,
              "invalidatePattern removed keys it does not match");
          double ms = m.nanos() / 1e6;
          table.row(Section.number(matching, 0), Section.number(others, 0), Section.number(ms, 1) + " ms",
              Section.number(ms * 1000 / matching, 2) + " ms", OtherClientProbe.p99AndMax(m.idle()),
              OtherClientProbe.p99AndMax(m.during()), m.causes());
          time.point("invalidatePattern", matching, ms);
          m.plot(other, matching);
        }
      }
      plain.flush();
    }
    time.save(charts.resolve("pattern-invalidation-time.png"));
    other.save(charts.resolve("pattern-invalidation-other-client.png"));
    return new Section("invalidatePattern by matching keys")
        .paragraph("""
            One node writes N entries under `match:` beside %,d entries under `other:`, then times \
            `invalidator().invalidatePattern("match:*")`: the pattern epoch moves (fills under way \
            notice), SCAN walks the keyspace 1,000 keys per call, each page's matches are deleted \
            pipelined, and one log entry tells every node to drop its L1 matches. Another client \
            probes Redis meanwhile, as for tags.""".formatted(others))
        .table(table)
        .paragraph("![invalidatePattern time](scaling/pattern-invalidation-time.png)\n"
            + "![another client during invalidatePattern](scaling/pattern-invalidation-other-client.png)");
  }
}
