/**
 * Internal: Redis connections, the command executor (circuit breaker, timeouts, error mapping),
 * reads on the caller's thread, Lua scripts and the reconnect backoff shared by Tierstate's
 * features. Not an API: it may change in any release, and it is left out of the Javadoc.
 * Applications reach Redis through {@link io.tierstate.Tierstate}.
 */
@NullMarked
package io.tierstate.internal.redis;

import org.jspecify.annotations.NullMarked;
