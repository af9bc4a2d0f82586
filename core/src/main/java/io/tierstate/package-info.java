/**
 * Tierstate: tiered state and caching for Java services. Start with {@link io.tierstate.Tierstate}.
 */
@NullMarked
package io.tierstate;

import org.jspecify.annotations.NullMarked;
