/** Redis connections, scripts and the circuit breaker shared by Tierstate features (internal). */
@NullMarked
package io.tierstate.redis;

import org.jspecify.annotations.NullMarked;
