package io.tierstate.session;

import io.tierstate.RedisUnavailableException;
import io.tierstate.metrics.MeterNames;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Server-side sessions in Redis, shared by every node: obtain it with {@link
 * io.tierstate.Tierstate#sessions()}.
 *
 * <p><b>Ids.</b> A session id is 256 bits from {@link java.security.SecureRandom} in URL-safe
 * base64, followed by a dot and an opaque 32-hex-digit routing tag of the user. Redis stores only
 * the SHA-256 of the id, so a dump of Redis hands out no live session. The raw id is returned once,
 * by {@link #create}.
 *
 * <p><b>Expiry.</b> A session ends when it is not {@linkplain #touch touched} within its idle
 * timeout, or at its absolute timeout, whichever comes first; touching never extends it past the
 * absolute timeout. All times are the Redis server's clock, so nodes with skewed clocks agree.
 *
 * <p><b>Device limit.</b> Creation adds the session and ends the user's least recently active
 * sessions beyond {@code maxDevices} in one Lua script, so any number of concurrent logins, on any
 * number of nodes, leave at most {@code maxDevices} sessions.
 *
 * <p><b>Redis is required.</b> Sessions have no local fallback: when Redis cannot be used, every
 * method throws {@link RedisUnavailableException}, {@code get} included, so that a Redis outage is
 * never mistaken for "signed out" (or "signed in"); answer such requests with 503.
 *
 * <p><b>Tenants.</b> A session id alone finds the session: check {@link Session#tenantId()} against
 * the tenant of the request before trusting it.
 *
 * <p><b>Ids from requests.</b> Methods taking a session id refuse a null, empty or over-long id
 * with {@link IllegalArgumentException}; any other string that is not a live session id (expired,
 * deleted, forged, tampered) is simply not found.
 *
 * <p><b>Handles.</b> {@link #getUserSessions} lists sessions by {@linkplain SessionInfo#handle()
 * handle}, never by id: a handle names a session to its owner but cannot be used as one. {@link
 * #deleteUserSession} ends a session by its handle, within one user's sessions only.
 *
 * <p>Thread-safe.
 */
public interface SessionManager {
  /**
   * Creates a session and, when the user is over {@code spec.maxDevices()}, ends their least
   * recently active sessions in the same atomic step.
   *
   * @return the raw id (visible only here) and the stored session
   * @throws IllegalArgumentException if {@code spec} is null
   * @throws RedisUnavailableException if Redis cannot be used; no session was created, or one was
   *     created whose id is lost and which expires unused
   */
  CreatedSession create(NewSession spec);

  /**
   * The session with this id, if it is live. Does not count as activity (see {@link #touch}).
   *
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  Optional<Session> get(String sessionId);

  /**
   * The session with this id, if it is live and passes {@code validation}; a failed check returns
   * empty, counts {@value MeterNames#SESSIONS_VALIDATION_FAILURES}, and deletes the session when
   * {@link Validation#revokeOnMismatch()} is set.
   *
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id, or {@code validation} is null
   * @throws RedisUnavailableException if Redis cannot be used
   */
  Optional<Session> get(String sessionId, Validation validation);

  /**
   * Records activity: resets the idle expiry, capped by the absolute expiry, and sets the last
   * activity time.
   *
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  boolean touch(String sessionId);

  /**
   * Puts attributes into a session (others are kept); does not count as activity.
   *
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or too long, the
   *     attributes break the rules of {@link NewSession.Builder#attributes}, or the session would
   *     have more than {@value NewSession#MAX_ATTRIBUTES} attributes (nothing changes then)
   * @throws RedisUnavailableException if Redis cannot be used
   */
  boolean update(String sessionId, Map<String, String> attributes);

  /**
   * Replaces a session's roles (after a permission change) and puts attributes into it.
   *
   * @param roles the new roles, or null to keep them
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or too long, the roles or
   *     attributes break the rules of {@link NewSession.Builder}, or the session would have more
   *     than {@value NewSession#MAX_ATTRIBUTES} attributes (nothing changes then)
   * @throws RedisUnavailableException if Redis cannot be used
   */
  boolean update(String sessionId, @Nullable Set<String> roles, Map<String, String> attributes);

  /**
   * Ends a session (sign-out).
   *
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  boolean delete(String sessionId);

  /**
   * Ends every session of a user, on every node at once (sign out everywhere, password change).
   *
   * @return how many sessions were live
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession})
   * @throws RedisUnavailableException if Redis cannot be used
   */
  int deleteUserSessions(String tenantId, String userId);

  /**
   * A user's live sessions, most recently active first; index entries of expired sessions are
   * removed on the way. Each carries its {@linkplain SessionInfo#handle() handle}, not its id.
   *
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession})
   * @throws RedisUnavailableException if Redis cannot be used
   */
  List<SessionInfo> getUserSessions(String tenantId, String userId);

  /**
   * The handle that {@link #getUserSessions} shows for the session with this id, so that a caller
   * can tell its own session in the list. Does not look at Redis: the session need not be live.
   *
   * @return the handle, or empty if {@code sessionId} is not shaped like a session id
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   */
  Optional<String> handleOf(String sessionId);

  /**
   * Ends one session of a user, named by its {@linkplain SessionInfo#handle() handle} (a "your
   * devices" page signing out one device). Only this user's sessions are searched, so a handle of
   * anybody else's session is simply not found.
   *
   * @return whether a live session of this user had this handle
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession}),
   *     or {@code handle} is null, empty or longer than a handle
   * @throws RedisUnavailableException if Redis cannot be used
   */
  boolean deleteUserSession(String tenantId, String userId, String handle);

  /**
   * Moves a session to a new id at once, keeping its data and expiry; the old id stops resolving in
   * the same step. Call it when privileges change, such as at sign-in, against session fixation.
   *
   * @return the new raw id, or empty if the session was not live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  Optional<String> rotate(String sessionId);

  /**
   * Counts of live sessions across all tenants.
   *
   * @throws RedisUnavailableException if Redis cannot be used
   */
  SessionStats stats();

  /**
   * The number of live sessions of a tenant.
   *
   * @throws IllegalArgumentException if the tenant id is null, longer than {@value
   *     NewSession#MAX_ID_LENGTH} characters or not a valid key segment
   * @throws RedisUnavailableException if Redis cannot be used
   */
  long countTenantSessions(String tenantId);

  /**
   * The number of live sessions of a user.
   *
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession})
   * @throws RedisUnavailableException if Redis cannot be used
   */
  long countUserSessions(String tenantId, String userId);
}
