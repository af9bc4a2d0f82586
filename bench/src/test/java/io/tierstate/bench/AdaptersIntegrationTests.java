package io.tierstate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The benchmark's smoke test: every adapter serves what it was given, from the tier it measures
 * (populate checks that). Runs no benchmark; about 3 s against a real Redis, most of it starting
 * the Redisson and JetCache clients.
 */
class AdaptersIntegrationTests {
  private static BenchRedis redis;

  @BeforeAll
  static void startRedis() {
    redis = BenchRedis.startOrConnect();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void servesEveryPopulatedValueFromTheTierMeasured(Implementation implementation) {
    Map<String, Value> entries = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      entries.put("smoke:" + implementation + ":" + i, Value.of(i));
    }
    try (CacheAdapter cache = implementation.create(redis, entries.size())) {
      cache.populate(entries);
      entries.forEach((key, value) -> assertThat(cache.get(key)).isEqualTo(value));
      assertThat(cache.anomalies()).isNull();
      assertThat(cache.get("smoke:absent")).isNull();
    }
  }

  @Test
  void valuesAreTheAdvertisedSizeAsJson() {
    assertThat(Value.json(Value.of(0))).hasSize(Value.JSON_BYTES);
    assertThat(Value.json(Value.of(9_999))).hasSize(Value.JSON_BYTES);
  }
}
