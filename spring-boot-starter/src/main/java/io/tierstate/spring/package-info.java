/**
 * Spring Boot 4 auto-configuration for Tierstate: one {@link io.tierstate.Tierstate} from {@code
 * tierstate.*} properties, a coherent two-tier Spring {@link org.springframework.cache.CacheManager},
 * an Actuator health indicator, and the locks, rate limiter and sessions as beans. See
 * docs/spring.md.
 */
@NullMarked
package io.tierstate.spring;

import org.jspecify.annotations.NullMarked;
