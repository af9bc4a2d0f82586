/**
 * Internal: the tiered cache behind {@link io.tierstate.cache.TieredCache} and {@link
 * io.tierstate.cache.Invalidator}, split by role (L1, L2 on Redis, entry encoding, the load
 * protocol, sending and receiving invalidations) and assembled by {@link CacheEngine}. Not an API:
 * it may change in any release, it is left out of the Javadoc and not exported by the module.
 * Applications obtain the cache through {@link io.tierstate.Tierstate}.
 */
@NullMarked
package io.tierstate.internal.cache;

import org.jspecify.annotations.NullMarked;
