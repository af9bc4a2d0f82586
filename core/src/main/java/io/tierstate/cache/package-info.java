/** The tiered cache: Caffeine L1 kept coherent across nodes, Redis L2, loaders and invalidation. */
@NullMarked
package io.tierstate.cache;

import org.jspecify.annotations.NullMarked;
