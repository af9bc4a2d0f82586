/**
 * Internal: the implementation behind {@link io.tierstate.writebehind}. Not an API: it may change
 * in any release, it is left out of the Javadoc and not exported by the module.
 */
@NullMarked
package io.tierstate.internal.writebehind;

import org.jspecify.annotations.NullMarked;
