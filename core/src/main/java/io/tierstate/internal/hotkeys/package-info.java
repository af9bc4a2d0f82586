/**
 * Internal: this node's hot keys, sampled from its cache reads into a decaying Space-Saving sketch
 * ({@link io.tierstate.internal.hotkeys.HotKeySampler}). Not an API: applications read them through
 * {@link io.tierstate.cache.TieredCache#hotKeys()} and {@link
 * io.tierstate.nodes.ClusterNode#hotKeys()}.
 */
@NullMarked
package io.tierstate.internal.hotkeys;

import org.jspecify.annotations.NullMarked;
