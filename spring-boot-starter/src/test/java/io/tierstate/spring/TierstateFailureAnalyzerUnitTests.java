package io.tierstate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;

class TierstateFailureAnalyzerUnitTests {

  @Test
  void isRegisteredAndDescribesTheBadPropertyInsteadOfAStackTrace() {
    FailureAnalyzer analyzer = SpringFactoriesLoader.forDefaultResourceLocation()
        // Boot's own analyzers want constructor arguments this test does not have: skipped.
        .load(FailureAnalyzer.class, null, (type, name, failure) -> {}).stream()
        .filter(TierstateFailureAnalyzer.class::isInstance)
        .findFirst()
        .orElseThrow(() -> new AssertionError("TierstateFailureAnalyzer is not in META-INF/spring.factories"));
    var cause = new InvalidTierstatePropertyException("tierstate.l1.maximum-size",
        "tierstate.l1.maximum-size must be >= 0, but was -1", new IllegalArgumentException());

    FailureAnalysis analysis = analyzer.analyze(new BeanCreationException("tierstate", "failed", cause));

    assertThat(analysis).isNotNull();
    assertThat(analysis.getDescription()).isEqualTo("tierstate.l1.maximum-size must be >= 0, but was -1");
    assertThat(analysis.getAction()).contains("tierstate.l1.maximum-size").contains("docs/spring.md");
  }
}
