package io.tierstate.session;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A live session as stored in Redis. It carries no id: the raw id is handed out once, by {@link
 * SessionManager#create}, and Redis keeps only its hash.
 *
 * <p>Immutable and thread-safe.
 *
 * @param tenantId the tenant
 * @param userId the user
 * @param roles the roles
 * @param email the e-mail, or null
 * @param ipAddress the client address at login, or null
 * @param userAgent the client User-Agent at login, or null
 * @param deviceId the device id, or null
 * @param attributes application data
 * @param createdAt when the session was created (Redis server time)
 * @param lastActiveAt when it was created or last touched
 * @param expiresAt when it expires unless touched: the earlier of idle and absolute expiry
 * @param absoluteExpiresAt when it expires whatever the activity
 */
public record Session(
    String tenantId,
    String userId,
    Set<String> roles,
    @Nullable String email,
    @Nullable String ipAddress,
    @Nullable String userAgent,
    @Nullable String deviceId,
    Map<String, String> attributes,
    Instant createdAt,
    Instant lastActiveAt,
    Instant expiresAt,
    Instant absoluteExpiresAt) {

  /** Copies the collections. */
  public Session {
    roles = Set.copyOf(roles);
    attributes = Map.copyOf(attributes);
  }
}
