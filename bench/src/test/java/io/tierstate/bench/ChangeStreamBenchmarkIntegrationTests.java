package io.tierstate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The quick mode of the change-stream benchmark, run by the test command: a real PostgreSQL and
 * Redis, two nodes, a few dozen commits by an outside writer and small bursts, checking only
 * correctness (the run fails if a commit is not heard by both nodes, a node still holds the old
 * value in L1 or serves it after its event, a burst is not applied in full, or the auditor finds an
 * inconsistency). The figures mean nothing here.
 */
class ChangeStreamBenchmarkIntegrationTests {

  @Test
  void quickModeMeasuresEveryFigure() throws Exception {
    Section section = ChangeStreamBenchmark.run(RunMode.QUICK);

    assertThat(section.markdown())
        .contains("(a) both nodes' L1 dropped the key", "(b) event on the other node",
            "one transaction", "single-row transactions", "mean cost per sample");
    assertThat(section.targets()).hasSize(2);
  }

  @Test
  void theSectionReplacesItsBlockAndNothingElse() {
    String block = ChangeStreamBenchmark.START + "\nnew\n" + ChangeStreamBenchmark.END + "\n";
    String doc = "# B\n\nbefore\n" + ChangeStreamBenchmark.START + "\nold\n" + ChangeStreamBenchmark.END
        + "\n\n## Notes\n\nafter\n";

    assertThat(ChangeStreamBenchmark.splice(doc, block))
        .isEqualTo("# B\n\nbefore\n" + block + "\n## Notes\n\nafter\n");
    assertThat(ChangeStreamBenchmark.splice("# B\n\n## Notes\n\nafter\n", block))
        .isEqualTo("# B\n\n" + block + "\n## Notes\n\nafter\n");
  }
}
