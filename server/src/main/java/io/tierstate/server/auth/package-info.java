/**
 * Cookie authentication: login, refresh-token rotation, logout, the who-am-I endpoint, the
 * filter that turns a request's access token and live session into a {@link
 * io.tierstate.server.auth.Principal}, and {@link io.tierstate.server.auth.AuthContext} for
 * handlers to read it and check permissions.
 */
@NullMarked
package io.tierstate.server.auth;

import org.jspecify.annotations.NullMarked;
