package io.tierstate.server.http;

import io.javalin.security.RouteRole;

/**
 * Who may call a route, given as a route role when it is registered: {@code app.post(path,
 * handler, Access.PUBLIC)}. Routes under {@code /api/} and {@code /admin/} without {@link #PUBLIC}
 * require a signed-in user (see {@code io.tierstate.server.auth.AuthFeature}).
 */
public enum Access implements RouteRole {
  /** Anyone, signed in or not (login, refresh, health). */
  PUBLIC
}
