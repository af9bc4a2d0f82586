/**
 * Internal: the Redis implementation behind {@link io.tierstate.lock}. Not an API: it may change in
 * any release, it is left out of the Javadoc and not exported by the module.
 */
@NullMarked
package io.tierstate.internal.lock;

import org.jspecify.annotations.NullMarked;
