/**
 * Server-side sessions in Redis: creation with a per-user device limit, validation, sliding idle
 * expiry under an absolute cap, rotation, per-user listing and revocation. Redis stores only a
 * SHA-256 of each session id. Entry point: {@link io.tierstate.Tierstate#sessions()}.
 */
@NullMarked
package io.tierstate.session;

import org.jspecify.annotations.NullMarked;
