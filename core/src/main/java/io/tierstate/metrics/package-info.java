/** Metrics: Micrometer meters and snapshots of hit rates per tier. */
@NullMarked
package io.tierstate.metrics;

import org.jspecify.annotations.NullMarked;
