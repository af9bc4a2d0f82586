/**
 * Publish/subscribe over Redis, with payloads encoded by the configured codec and channels kept
 * apart per namespace. Obtain it from {@code Tierstate.pubsub()}.
 */
@NullMarked
package io.tierstate.pubsub;

import org.jspecify.annotations.NullMarked;
