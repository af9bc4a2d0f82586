package io.tierstate.server.auth;

import io.tierstate.session.Session;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The signed-in caller of a request, as the auth filter established it: read it with {@link
 * AuthContext#principal}. Roles and permissions are the user's current ones (from the access
 * cache, {@link AccessCache}), not a copy taken at login.
 *
 * <p>Immutable and thread-safe.
 *
 * @param userId the user
 * @param tenantId the user's tenant: every tenant-scoped route must compare it with the tenant
 *     in its path
 * @param roles the user's role names
 * @param permissions the user's permissions, such as {@code users:read}
 * @param sessionId the raw session id (a credential: never log or return it)
 * @param session the live session from Redis, or null in degraded mode (Redis unavailable: the
 *     request was authenticated by the access token's signature alone, for reads only)
 */
public record Principal(UUID userId, UUID tenantId, Set<String> roles, Set<String> permissions, String sessionId,
    @Nullable Session session) {

  /**
   * The permission of platform administrators: every tenant, its plan and its status (held by the
   * built-in role {@code platform_admin}, which tenant admins do not have).
   */
  public static final String PLATFORM_ADMIN = "platform:admin";

  /** Copies the sets. */
  public Principal {
    roles = Set.copyOf(roles);
    permissions = Set.copyOf(permissions);
  }

  /** Whether the caller holds {@code permission}. */
  public boolean has(String permission) {
    return permissions.contains(permission);
  }

  /** Whether the caller is a platform administrator ({@value #PLATFORM_ADMIN}). */
  public boolean platformAdmin() {
    return has(PLATFORM_ADMIN);
  }

  /** Whether the session could not be checked in Redis (degraded mode, reads only). */
  public boolean degraded() {
    return session == null;
  }

  @Override
  public String toString() {
    return "Principal[userId=" + userId + ", tenantId=" + tenantId + ", roles=" + roles + ", degraded="
        + degraded() + "]";
  }
}
