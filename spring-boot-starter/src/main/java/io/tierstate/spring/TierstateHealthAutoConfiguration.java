package io.tierstate.spring;

import io.tierstate.Tierstate;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;

/** The {@code tierstate} health indicator, when Spring Boot's health support is on the class path. */
@AutoConfiguration(after = TierstateAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Tierstate.class)
@ConditionalOnEnabledHealthIndicator("tierstate")
public class TierstateHealthAutoConfiguration {

  /** Reports Tierstate's health report, its named checks as details. */
  @Bean
  @ConditionalOnMissingBean(name = "tierstateHealthIndicator")
  public TierstateHealthIndicator tierstateHealthIndicator(Tierstate tierstate, TierstateProperties properties) {
    return new TierstateHealthIndicator(tierstate, new Status(properties.getHealth().getDegradedStatus().strip()));
  }
}
