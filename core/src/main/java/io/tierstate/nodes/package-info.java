/**
 * The cluster's nodes: every node announces itself in Redis with a heartbeat, and any node can list
 * them all, live or stopped. Start with {@link io.tierstate.Tierstate#nodes()}.
 */
@NullMarked
package io.tierstate.nodes;

import org.jspecify.annotations.NullMarked;
