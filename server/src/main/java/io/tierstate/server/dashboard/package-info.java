/**
 * The live operations dashboard's server side: one shared {@link
 * io.tierstate.server.dashboard.DashboardSampler} reads the node's meters every two seconds into a
 * 15-minute ring buffer, and {@code GET /api/v1/dashboard} hands viewers the samples they have
 * not seen yet, so N viewers cost about one.
 */
@NullMarked
package io.tierstate.server.dashboard;

import org.jspecify.annotations.NullMarked;
