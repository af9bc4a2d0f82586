package io.tierstate.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains an invalid {@code tierstate.*} property at start-up, naming it, instead of a stack trace. */
final class TierstateFailureAnalyzer extends AbstractFailureAnalyzer<InvalidTierstatePropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidTierstatePropertyException cause) {
    return new FailureAnalysis(cause.getMessage(), "Correct the property " + cause.property()
        + " (see docs/spring.md for every tierstate.* property).", cause);
  }
}
