/**
 * Durable write-behind: writes become visible in the cache at once and reach the source of truth
 * later, in coalesced batches, through a Redis Stream consumed by every node. Obtain a {@link
 * io.tierstate.writebehind.WriteBehind} from {@code Tierstate.writeBehind(...)}.
 */
@NullMarked
package io.tierstate.writebehind;

import org.jspecify.annotations.NullMarked;
