package io.tierstate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RevisionABUnitTests {

  @Test
  void percentilesAreNearestRank() {
    double[] values = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertThat(RevisionAB.percentile(values, 50)).isEqualTo(5);
    assertThat(RevisionAB.percentile(values, 10)).isEqualTo(1);
    assertThat(RevisionAB.percentile(values, 90)).isEqualTo(9);
    assertThat(values[0]).as("the input is left as it was").isEqualTo(5);
  }

  @Test
  void theReportComparesEachRevisionsTwoNodesAndShowsTheNoiseFloor() {
    double[][] rates = {
      {10e6, 10e6, 10e6}, // Caffeine alone
      {5e6, 5e6, 5e6}, // base, loaded 1st
      {6e6, 6e6, 6e6}, // head, 2nd
      {6e6, 6e6, 6e6}, // head, 3rd
      {5e6, 5e6, 5e6}, // base, 4th
    };
    String report = RevisionAB.report("a.jar (base), b.jar (head)",
        new String[] {"Caffeine alone", "base (1st loaded)", "head (2nd)", "head (3rd)", "base (4th)"}, rates,
        "0.1", "0.2");
    assertThat(report)
        .contains("| base (1st loaded) | 5.0 | 0.50x | 0.50–0.50x |")
        .contains("| head (3rd) | 6.0 | 0.60x |")
        .contains("head against base, per round: median 1.20x")
        .contains("noise floor: median 1.00x")
        .contains("load average before 0.1, after 0.2");
    assertThat(RevisionAB.geometricMeans(new double[] {4}, new double[] {9})[0]).isCloseTo(6, within(1e-9));
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> RevisionAB.main(new String[] {"only-one.jar"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage: RevisionAB BASE.jar HEAD.jar");
    assertThatThrownBy(() -> RevisionAB.main(new String[] {"/nonexistent/base.jar", "/nonexistent/head.jar"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no benchmarks jar at /nonexistent/base.jar");
  }
}
