package io.tierstate.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.examples.spring.CatalogBenchmark.Result;
import io.tierstate.examples.spring.CatalogNodes.CacheManagerKind;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The side-by-side benchmark: a few seconds per cache manager in the test command, checking the
 * shape (Tierstate coherent and cached, Caffeine alone stale); {@code bench/spring.sh} runs it
 * longer ({@code -Dcatalog.bench.seconds=30}) and writes the table into docs/benchmarks.md.
 */
class CatalogBenchmarkIntegrationTests {

  @Test
  void tierstateIsCoherentAndCachedWhereCaffeineAloneIsStale() throws Exception {
    int seconds = Integer.getInteger("catalog.bench.seconds", 3);
    int readers = Integer.getInteger("catalog.bench.readers", 4);
    int rounds = Integer.getInteger("catalog.bench.rounds", 1);
    Map<CacheManagerKind, Result> results = new EnumMap<>(CacheManagerKind.class);
    try (PostgresServer postgres = PostgresServer.start(); RedisServer redis = RedisServer.start()) {
      CatalogBenchmark bench = new CatalogBenchmark(postgres, redis, readers,
          Duration.ofSeconds(Math.max(2, seconds / 3)), Duration.ofSeconds(seconds), Duration.ofMillis(20));
      // Rounds in rotated order, so that neither the JIT's warming nor a neighbour's build favours one manager.
      CacheManagerKind[] kinds = CacheManagerKind.values();
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < kinds.length; i++) {
          CacheManagerKind kind = kinds[(i + round) % kinds.length];
          results.merge(kind, bench.run(kind, round), Result::plus);
        }
      }
    }
    StringBuilder table = new StringBuilder(CatalogBenchmark.header()).append('\n');
    results.values().forEach(r -> table.append(r.row()).append('\n'));
    table.append(String.format("%n%d reader threads and one writer (a PUT every 20 ms); %d round(s) in rotated order, "
        + "each %d s measured after %d s of warm-up per cache manager%n", readers, rounds, seconds,
        Math.max(2, seconds / 3)));
    Files.writeString(Path.of("target", "spring-bench.md"), table, StandardCharsets.UTF_8);
    System.out.println(table);

    Result tierstate = results.get(CacheManagerKind.TIERSTATE);
    Result redis = results.get(CacheManagerKind.SPRING_DATA_REDIS);
    Result caffeine = results.get(CacheManagerKind.CAFFEINE);
    for (Result r : results.values()) {
      assertThat(r.errors()).as("%s errors", r.kind()).isZero();
      assertThat(r.reads()).as("%s reads", r.kind()).isPositive();
    }
    assertThat(tierstate.staleReads()).as("Tierstate stale reads").isLessThanOrEqualTo(tierstate.reads() / 1000);
    assertThat(caffeine.staleReads()).as("Caffeine alone, two instances, no invalidation between them").isPositive();
    // Without a cache every request is one query (1,000 per 1,000); how far below depends on the host's speed,
    // since the writer's pace is fixed and a slow host reads less between two writes.
    assertThat(tierstate.queriesPerThousandRequests()).as("Tierstate caches").isLessThan(1000);
    assertThat(redis.queriesPerThousandRequests()).as("Spring Data Redis caches").isLessThan(1000);
  }
}
