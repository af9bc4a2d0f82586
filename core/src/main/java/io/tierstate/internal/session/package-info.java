/**
 * Internal: the implementation behind {@link io.tierstate.session}. Not an API: it may change in
 * any release, it is left out of the Javadoc and not exported by the module.
 */
@NullMarked
package io.tierstate.internal.session;

import org.jspecify.annotations.NullMarked;
