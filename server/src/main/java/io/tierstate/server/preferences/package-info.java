/**
 * The signed-in user's own preferences ({@code /api/v1/me/preferences}): locale and time zone,
 * stored in PostgreSQL, cached in Tierstate (L1 + L2) for 30 minutes and invalidated on every node
 * after each change, served with ETags.
 */
@NullMarked
package io.tierstate.server.preferences;

import org.jspecify.annotations.NullMarked;
