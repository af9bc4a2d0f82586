/**
 * Operations endpoints: health ({@code /health}, {@code /health/cache}), metrics ({@code
 * /metrics}, {@code /metrics/cache}), the cache dashboard and cache invalidation for admins.
 */
@NullMarked
package io.tierstate.server.ops;

import org.jspecify.annotations.NullMarked;
