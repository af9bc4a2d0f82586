/**
 * Distributed locks in Redis: leased, owner-checked, fenced with a token that increases strictly
 * per lock name, and optionally renewed in the background. Obtain them from {@code
 * Tierstate.locks()}.
 */
@NullMarked
package io.tierstate.lock;

import org.jspecify.annotations.NullMarked;
