/**
 * Internal: the implementation behind {@link io.tierstate.ratelimit}. Not an API: it may change in
 * any release, it is left out of the Javadoc and not exported by the module.
 */
@NullMarked
package io.tierstate.internal.ratelimit;

import org.jspecify.annotations.NullMarked;
