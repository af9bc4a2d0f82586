/**
 * A JCache (JSR-107) 1.1 provider whose caches are Tierstate tiered caches: Caffeine L1 in front of
 * Redis, coherent across nodes. Discovered through {@code META-INF/services}; see docs/jcache.md.
 */
@NullMarked
package io.tierstate.jcache;

import org.jspecify.annotations.NullMarked;
