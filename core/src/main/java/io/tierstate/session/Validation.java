package io.tierstate.session;

import org.jspecify.annotations.Nullable;

/**
 * Checks that {@link SessionManager#get(String, Validation)} makes against the current request. A
 * null expectation is not checked. On a mismatch {@code get} returns empty and counts a validation
 * failure; with {@link #revokeOnMismatch()} it also deletes the session, since a session id
 * presented from elsewhere is probably stolen. By default the session is kept, so that a user whose
 * address legitimately changed (mobile networks) can sign in again from the old one.
 *
 * <p>Immutable and thread-safe.
 *
 * @param ipAddress the request's client address, compared exactly with the one at login, or null
 * @param userAgent the request's User-Agent, compared exactly with the one at login, or null
 * @param tenantId the tenant the request is for: a session of another tenant is not returned
 *     (tenant isolation), or null
 * @param revokeOnMismatch whether an address or User-Agent mismatch deletes the session (a tenant
 *     mismatch never does: the session is not this request's to end)
 */
public record Validation(
    @Nullable String ipAddress,
    @Nullable String userAgent,
    @Nullable String tenantId,
    boolean revokeOnMismatch) {

  private static final Validation NONE = new Validation(null, null, null, false);

  /** No checks. */
  public static Validation none() {
    return NONE;
  }

  /** Checks the address and the User-Agent where given (null skips a check). */
  public static Validation of(@Nullable String ipAddress, @Nullable String userAgent) {
    return new Validation(ipAddress, userAgent, null, false);
  }

  /** Only the tenant: a session that belongs to another tenant is not returned. */
  public static Validation tenant(String tenantId) {
    return NONE.forTenant(tenantId);
  }

  /**
   * This validation, also requiring the session to belong to {@code tenantId}.
   *
   * @throws IllegalArgumentException if {@code tenantId} is null or empty
   */
  public Validation forTenant(String tenantId) {
    if (tenantId == null || tenantId.isEmpty()) {
      throw new IllegalArgumentException("tenantId must not be null or empty");
    }
    return new Validation(ipAddress, userAgent, tenantId, revokeOnMismatch);
  }

  /** This validation, deleting the session on an address or User-Agent mismatch. */
  public Validation revokingOnMismatch() {
    return new Validation(ipAddress, userAgent, tenantId, true);
  }
}
