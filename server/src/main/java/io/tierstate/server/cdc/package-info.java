/**
 * The reference service's change stream ({@code SERVER_CDC}): how its tables map to cache keys,
 * tags and patterns, so that writes made outside the server invalidate every node and browser.
 */
@NullMarked
package io.tierstate.server.cdc;

import org.jspecify.annotations.NullMarked;
