package io.tierstate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Each pair of {@link HotPathBenchmark} does the same work, so that their ratio means something. */
class HotPathBenchmarkTest {
  private final HotPathBenchmark benchmark = new HotPathBenchmark();

  @Test
  void theCodecAndPlainJacksonProduceTheSameValueAndBytes() throws IOException {
    assertThat(benchmark.codecDecode()).isEqualTo(benchmark.jacksonDecode()).isEqualTo(Value.of(4_242));
    assertThat(benchmark.codecEncode()).isEqualTo(benchmark.jacksonEncode());
  }

  @Test
  void theCheckedAndTheConcatenatedKeyAreTheSameText() {
    assertThat(benchmark.tenantKey()).isEqualTo(benchmark.concatenatedKey()).isEqualTo("tenant:42:user:1000007");
    assertThat(benchmark.validateKey()).isEqualTo("tenant:42:user:1000007");
  }
}
