/**
 * The reference service: {@link io.tierstate.server.Main} reads the environment and starts a
 * {@link io.tierstate.server.TierstateServer}, which wires PostgreSQL, Tierstate and the HTTP
 * stack and registers each {@link io.tierstate.server.Feature} package (auth, ops, ...).
 */
@NullMarked
package io.tierstate.server;

import org.jspecify.annotations.NullMarked;
