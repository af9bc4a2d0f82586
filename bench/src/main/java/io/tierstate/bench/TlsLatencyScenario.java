package io.tierstate.bench;

import io.tierstate.TierstateConfig;
import io.tierstate.testkit.RedisServer;
import io.tierstate.testkit.TlsCertificates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * What TLS costs an L2 hit, and what reading on the caller's thread saves there: Tierstate with L1
 * off on one Redis, over its plain port and over its TLS port (a throwaway CA, {@code
 * REDIS_TLS_CA_FILE}), each with its direct read connections and through Lettuce's shared
 * connection, measured as {@link LatencyScenario} does. The Redis is started here, as the TLS
 * port needs certificates that the run owns.
 */
final class TlsLatencyScenario {
  static final String TITLE = "Hit latency over TLS, one thread";
  private static final int KEYS = 10_000;

  private TlsLatencyScenario() {}

  /** Runs the scenario alone and prints its section: {@code [quick|full]} (default full). */
  public static void main(String[] args) {
    RunMode mode = args.length > 0 ? RunMode.valueOf(args[0].toUpperCase(Locale.ROOT)) : RunMode.FULL;
    System.out.println(run(mode).markdown());
  }

  static Section run(RunMode mode) {
    Section section = new Section(TITLE);
    if (!RedisServer.supportsTls()) {
      section.paragraph("Skipped: this `redis-server` was built without TLS.");
      return section;
    }
    int keys = mode.pick(1_000, KEYS);
    int rounds = mode.pick(2, 10);
    int perRound = mode.pick(500, 5_000);
    InterleavedLatency.Keys read = new InterleavedLatency.Keys("tls:", keys);
    TlsCertificates certificates = TlsCertificates.issue();
    Map<String, CacheAdapter> adapters = new LinkedHashMap<>();
    try (RedisServer redis = RedisServer.builder().tls(certificates).start()) {
      try {
        Supplier<TierstateConfig.Builder> plain = () -> TierstateConfig.builder().redisUrl(redis.uri()).redisRequired(true);
        Supplier<TierstateConfig.Builder> tls = () -> TierstateConfig.builder().redisUrl(redis.tlsUri())
            .redisTlsCaFile(certificates.caFile()).redisRequired(true);
        adapters.put("plain, caller's thread", new TierstateL2Adapter(plain.get(), "bench-plain", true));
        adapters.put("plain, shared connection", new TierstateL2Adapter(plain.get(), "bench-plain", false));
        adapters.put("TLS, caller's thread", new TierstateL2Adapter(tls.get(), "bench-tls", true));
        adapters.put("TLS, shared connection", new TierstateL2Adapter(tls.get(), "bench-tls", false));
        for (CacheAdapter adapter : adapters.values()) {
          adapter.populate(read.entries);
        }
        Map<String, Histogram> histograms =
            InterleavedLatency.measure(adapters, read, rounds, mode.pick(500, 5_000), perRound);
        List<String> anomalies = InterleavedLatency.anomalies(adapters);
        return report(section, histograms, anomalies, rounds, perRound, keys);
      } finally {
        adapters.values().forEach(CacheAdapter::close); // before the server stops
      }
    }
  }

  private static Section report(Section section, Map<String, Histogram> histograms, List<String> anomalies,
      int rounds, int perRound, int keys) {
    section.paragraph(String.format(Locale.ROOT,
        "Tierstate with L1 off (`TIERSTATE_L2` and `TIERSTATE_L2_SHARED` above) on one `redis-server`"
            + " started for this section, over its plain port and over its TLS port (a"
            + " throwaway EC CA given as `REDIS_TLS_CA_FILE`, host names checked). One thread reads %,d"
            + " keys uniformly at random, all four open at once and measured in %d interleaved rounds"
            + " of %,d reads, as above. No target: this shows what TLS adds and what the caller's"
            + " thread saves over TLS.", keys, rounds, perRound));
    double base = (double) Objects.requireNonNull(histograms.get("plain, caller's thread")).getValueAtPercentile(50);
    Table table = new Table("subject", "p50 µs", "p99 µs", "p99.9 µs", "p50 / plain, caller's thread");
    histograms.forEach((name, h) -> table.row(name, Section.micros(h.getValueAtPercentile(50)),
        Section.micros(h.getValueAtPercentile(99)), Section.micros(h.getValueAtPercentile(99.9)),
        Section.ratio(h.getValueAtPercentile(50) / base)));
    section.table(table);
    if (!anomalies.isEmpty()) {
      section.paragraph("Anomalies (reads not served by the path measured): " + String.join("; ", anomalies));
    }
    return section;
  }
}
