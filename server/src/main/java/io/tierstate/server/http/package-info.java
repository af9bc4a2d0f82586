/**
 * The HTTP foundation every feature shares: {@link io.tierstate.server.http.ApiError} and the JSON
 * error mapping, strict JSON bodies, the client address, the CSRF origin check, API rate limiting
 * with its headers, route access markers and request metrics.
 */
@NullMarked
package io.tierstate.server.http;

import org.jspecify.annotations.NullMarked;
