package io.tierstate.bench;

import io.tierstate.Tierstate;
import java.nio.file.Path;

/**
 * {@code invalidateTags} on one tag with 10³ … 10⁶ members: how long it takes, what the tag's index
 * costs in Redis, and whether another client of the same Redis stays served meanwhile.
 */
final class TagInvalidationCurve {
  private TagInvalidationCurve() {}

  static Section run(BenchRedis redis, int[] sizes, Path charts) throws Exception {
    Table table = new Table("members", "invalidateTags", "per 1,000 members", "tag index in Redis",
        "per member", "other client p99 / max, idle (ms)", "during (ms)",
        "longest GC pause / Redis event, during (ms)");
    Charts.Chart time = new Charts.Chart("invalidateTags: time by tag size", "members", "ms").logX().logY();
    Charts.Chart other = new Charts.Chart("Another client's GET while a tag is invalidated", "members",
        "ms").logX().logY();
    try (ScalingRedis plain = new ScalingRedis(redis)) {
      for (int members : sizes) {
        plain.flush();
        try (Tierstate node = Tierstate.create(redis.tierstateConfig().namespace("scale-tags")
            .nodeId("scale-tags").l1MaximumSize(1_000).build())) {
          ScalingRedis.fill(node, "tagged:", members, ScalingRedis.HOUR.tags("big"));
          long indexBytes = plain.memoryUsage(plain.onlyKey("*tag:big"));
          long[] removed = new long[1];
          OtherClientProbe.Measured m = OtherClientProbe.measure(redis.url(),
              () -> removed[0] = node.invalidator().invalidateTags("big"));
          Checks.check(removed[0] == members,
              "invalidateTags removed " + removed[0] + " of " + members + " tagged entries");
          double ms = m.nanos() / 1e6;
          table.row(Section.number(members, 0), Section.number(ms, 1) + " ms",
              Section.number(ms * 1000 / members, 2) + " ms", Section.number(indexBytes / 1e6, 2) + " MB",
              Section.number((double) indexBytes / members, 0) + " B", OtherClientProbe.p99AndMax(m.idle()),
              OtherClientProbe.p99AndMax(m.during()), m.causes());
          time.point("invalidateTags", members, ms);
          m.plot(other, members);
        }
      }
      plain.flush();
    }
    time.save(charts.resolve("tag-invalidation-time.png"));
    other.save(charts.resolve("tag-invalidation-other-client.png"));
    return new Section("invalidateTags by tag size")
        .paragraph("""
            One node writes N entries with one tag (`setAll`, 1,000 per call), then times \
            `invalidator().invalidateTags(tag)` until it returns: the tag's version moved, its members \
            read, every member deleted from Redis and from the tag's index, and the invalidation logged \
            for every node. Meanwhile another client on its own connection sends `GET` after `GET` to \
            the same Redis; its p99 and worst round trip show whether Redis kept serving others. The tag \
            index is `MEMORY USAGE` of the tag's set (every member counted).""")
        .table(table)
        .paragraph("![invalidateTags time](scaling/tag-invalidation-time.png)\n"
            + "![another client during invalidateTags](scaling/tag-invalidation-other-client.png)");
  }
}
