/**
 * Live invalidation to browsers: {@code GET /api/v1/events}, a Server-Sent Events stream per
 * signed-in user that announces, for the user's tenant only, every cache invalidation made on any
 * node, so that browser caches refetch. See docs/server-data.md for the protocol.
 */
@NullMarked
package io.tierstate.server.events;

import org.jspecify.annotations.NullMarked;
