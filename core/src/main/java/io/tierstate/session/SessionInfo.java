package io.tierstate.session;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One of a user's sessions as listed by {@link SessionManager#getUserSessions}: enough to show the
 * user where they are signed in.
 *
 * <p>Immutable and thread-safe.
 *
 * @param handle names the session to its owner, for {@link SessionManager#deleteUserSession}: 22
 *     URL-safe characters, stable for the session's life, derived from a hash of its id and not
 *     usable as a credential (safe to show in a page or put in a URL)
 * @param deviceId the device id, or null
 * @param ipAddress the client address at login, or null
 * @param userAgent the client User-Agent at login, or null
 * @param createdAt when the session was created
 * @param lastActiveAt when it was created or last touched
 * @param expiresAt when it expires unless touched
 */
public record SessionInfo(
    String handle,
    @Nullable String deviceId,
    @Nullable String ipAddress,
    @Nullable String userAgent,
    Instant createdAt,
    Instant lastActiveAt,
    Instant expiresAt) {}
