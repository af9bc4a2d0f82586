package io.tierstate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.session.NewSession;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Prometheus scrape is valid text format and holds every Tierstate meter. */
class PrometheusScrapeIntegrationTests {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( \\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private final Nodes nodes = Nodes.onSharedRedis();

  @AfterEach
  void stop() {
    nodes.close();
  }

  /** One sample line. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /**
   * Parses the text format line by line; fails on any line that is not HELP, TYPE, a comment or a
   * sample.
   */
  static List<Sample> parse(String scrape) {
    List<Sample> samples = new ArrayList<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        String name = line.substring(7).split(" ", 2)[0];
        assertThat(NAME.matcher(name).matches()).as("metric name in %s", line).isTrue();
        if (line.startsWith("# TYPE ")) {
          assertThat(line.substring(7).split(" ")[1])
              .isIn(
                  "counter",
                  "gauge",
                  "summary",
                  "histogram",
                  "untyped",
                  "info",
                  "stateset",
                  "gaugehistogram",
                  "unknown");
        }
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      assertThat(sample.matches()).as("sample line %s", line).isTrue();
      Map<String, String> labels = new LinkedHashMap<>();
      String labelText = sample.group(3);
      if (labelText != null && !labelText.isEmpty()) {
        Matcher label = LABEL.matcher(labelText);
        int end = 0;
        while (label.find() && label.start() == end) {
          labels.put(label.group(1), label.group(2));
          end = label.end();
        }
        assertThat(end).as("labels of %s", line).isEqualTo(labelText.length());
      }
      String value = sample.group(4);
      double parsed =
          switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
          };
      samples.add(new Sample(sample.group(1), labels, parsed));
    }
    return samples;
  }

  private static List<Sample> named(List<Sample> samples, String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  @Test
  void theScrapeParsesAndHoldsTheCacheBreakerAndFeatureMeters() {
    Tierstate node = nodes.start("a");
    node.cache().set("k", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    node.cache().get("k", String.class);
    node.cache().get("missing", String.class);
    node.rateLimiter()
        .limit("api:user:42", RateLimitPolicy.slidingWindow(100, Duration.ofMinutes(1)));
    node.sessions().create(NewSession.builder("acme", "alice").build());
    node.locks().acquire("report", Duration.ofSeconds(5), Duration.ofSeconds(1)).close();
    node.writeBehind(
            "events",
            String.class,
            batch -> {},
            io.tierstate.writebehind.WriteBehindOptions.defaults())
        .write("event:1", "opened", CacheOptions.ttl(Duration.ofMinutes(1)));

    List<Sample> samples = parse(node.metrics().prometheus());

    assertThat(named(samples, "tierstate_cache_requests_total"))
        .anySatisfy(
            s -> {
              assertThat(s.labels()).containsEntry("tier", "l1").containsEntry("result", "hit");
              assertThat(s.value()).isGreaterThanOrEqualTo(1);
            })
        .anySatisfy(
            s ->
                assertThat(s.labels()).containsEntry("tier", "l2").containsEntry("result", "miss"));
    assertThat(named(samples, "tierstate_redis_breaker_state"))
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(0));
    assertThat(named(samples, "tierstate_ratelimit_decisions_total"))
        .isNotEmpty()
        .anySatisfy(s -> assertThat(s.labels()).containsEntry("result", "allowed"));
    assertThat(named(samples, "tierstate_sessions_started_total"))
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(1));
    assertThat(named(samples, "tierstate_writebehind_writes_total"))
        .anySatisfy(s -> assertThat(s.value()).isEqualTo(1));
    assertThat(named(samples, "tierstate_writebehind_queue_depth")).isNotEmpty();
    assertThat(named(samples, "tierstate_lock_acquisitions_total"))
        .anySatisfy(s -> assertThat(s.labels()).containsEntry("result", "acquired"));
    assertThat(named(samples, "tierstate_cache_operation_duration_seconds"))
        .anySatisfy(s -> assertThat(s.labels()).containsKey("quantile"));
  }

  @Test
  void aUserRegistryStillReceivesEveryMeter() {
    SimpleMeterRegistry user = new SimpleMeterRegistry();
    Tierstate node = nodes.start("a", builder -> builder.meterRegistry(user));
    node.cache().get("missing", String.class);

    assertThat(
            user.get(MeterNames.CACHE_REQUESTS)
                .tag("tier", "l1")
                .tag("result", "miss")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(named(parse(node.metrics().prometheus()), "tierstate_cache_requests_total"))
        .isNotEmpty();
  }

  @Test
  void aUserPrometheusRegistryIsScrapedDirectly() {
    PrometheusMeterRegistry user = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Tierstate node = nodes.start("a", builder -> builder.meterRegistry(user));
    node.cache().get("missing", String.class);

    assertThat(node.metrics().registry()).isSameAs(user);
    assertThat(user.scrape()).contains("tierstate_cache_requests_total");
    assertThat(named(parse(node.metrics().prometheus()), "tierstate_cache_requests_total"))
        .isNotEmpty();
  }

  @Test
  void withAUserRegistryEachReadCountsOnceInItInTheScrapeAndInTheSnapshot() {
    // The request counters then live in the user's registry and the scrape reads them (no
    // composite counter incremented per read): all three views must agree on every count.
    SimpleMeterRegistry user = new SimpleMeterRegistry();
    Tierstate node = nodes.start("a", builder -> builder.meterRegistry(user));
    node.cache().set("k", "v", CacheOptions.ttl(Duration.ofMinutes(1)));
    for (int i = 0; i < 3; i++) {
      node.cache().get("k", String.class);
    }
    node.cache().get("missing", String.class);

    List<Sample> requests =
        named(parse(node.metrics().prometheus()), "tierstate_cache_requests_total");
    MetricsSnapshot snapshot = node.metrics().snapshot();
    Map<String, Double> scraped = new LinkedHashMap<>();
    for (Sample s : requests) {
      scraped.put(s.labels().get("tier") + " " + s.labels().get("result"), s.value());
    }
    assertThat(scraped)
        .containsOnlyKeys("l1 hit", "l1 miss", "l2 hit", "l2 miss")
        .containsEntry("l1 hit", (double) snapshot.l1Hits())
        .containsEntry("l1 miss", 1.0)
        .containsEntry("l2 hit", (double) snapshot.l2Hits())
        .containsEntry("l2 miss", 1.0);
    assertThat(snapshot.l1Hits()).isGreaterThanOrEqualTo(1);
    assertThat(snapshot.l1Misses()).isEqualTo(1);
    assertThat(snapshot.l2Misses()).isEqualTo(1);
    for (String key : scraped.keySet()) {
      String[] tierResult = key.split(" ");
      assertThat(
              user.get(MeterNames.CACHE_REQUESTS)
                  .tag("tier", tierResult[0])
                  .tag("result", tierResult[1])
                  .counter()
                  .count())
          .as(key)
          .isEqualTo(scraped.get(key));
    }
  }
}
