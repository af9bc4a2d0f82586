package io.tierstate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick mode of the cost curves, run by the test command: every curve at its smallest size,
 * against a real Redis, checking only correctness (each curve fails on a tag or pattern invalidation
 * that removes the wrong count, a node that does not hear an invalidation or serves the old value
 * after it, an L1 that lost entries, or write-behind writes that are not all delivered).
 */
class ScalingCurvesIntegrationTests {

  @Test
  void quickModeRunsEveryCurveAndDrawsItsCharts(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("scaling.md");

    ScalingCurves.run(RunMode.QUICK, report);

    String markdown = Files.readString(report);
    assertThat(markdown).contains("## invalidateTags by tag size", "## invalidatePattern by matching keys",
        "## Invalidation propagation by node count", "## Memory per cached entry",
        "## Write-behind throughput by node count");
    try (var charts = Files.list(dir.resolve("scaling"))) {
      assertThat(charts.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder(
          "tag-invalidation-time.png", "tag-invalidation-other-client.png", "pattern-invalidation-time.png",
          "pattern-invalidation-other-client.png", "propagation-by-nodes.png", "write-behind-by-nodes.png");
    }
    // A PNG starts with its signature.
    assertThat(Files.readAllBytes(dir.resolve("scaling/propagation-by-nodes.png"))).startsWith(0x89, 'P', 'N', 'G');
  }
}
