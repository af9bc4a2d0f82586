/**
 * Caching patterns built on {@link io.tierstate.cache.TieredCache}: read-through loaders registered
 * by key pattern, write-through to the source of truth, cache warming (scheduled once per period
 * across the cluster) and namespace versions that invalidate a whole namespace in O(1).
 *
 * <p>Obtain them from {@code Tierstate.readThrough()}, {@code writeThrough()}, {@code warmer()} and
 * {@code namespaces()}. See docs/patterns.md.
 */
@NullMarked
package io.tierstate.patterns;

import org.jspecify.annotations.NullMarked;
