package io.tierstate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quick mode of the benchmarks, run by the test command: every scenario briefly, against a
 * real Redis and a real PostgreSQL, checking only correctness. The scenarios themselves fail on a
 * wrong value (every adapter, every read), a stampede that loads more than once across 2 nodes,
 * an invalidation that does not arrive, a {@code getAll} that misses values, or a workload that
 * queries the database for every request. Figures are not checked: they mean nothing this short.
 */
class ScenariosIntegrationTests {

  @Test
  void quickModeRunsEveryScenarioCorrectly() throws Exception {
    List<Section> sections = Scenarios.run(RunMode.QUICK);

    assertThat(sections).extracting(Section::title).containsExactly(
        "Hit latency, one thread",
        "Hit latency over TLS, one thread",
        "getAll of 100 keys against 100 single gets",
        "Stampede: 64 concurrent misses over 2 nodes",
        "Invalidation propagation between 2 nodes",
        "Redis primitives, one thread",
        "Read-mostly Zipf workload over PostgreSQL");
    assertThat(sections).allSatisfy(section -> assertThat(section.markdown()).contains("|"));
    // The one target that is a correctness property, and so holds even in a short run.
    assertThat(sections.get(3).targets().get(0).met()).isTrue();
  }
}
