/** Runnable examples of the Tierstate API. */
@NullMarked
package io.tierstate.examples;

import org.jspecify.annotations.NullMarked;
