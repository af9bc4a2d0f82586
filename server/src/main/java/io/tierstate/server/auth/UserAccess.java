package io.tierstate.server.auth;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a user may do: their roles, the union of the roles' permissions, whether the account is
 * active, and their tenant's standing (a suspended tenant's users may do nothing). Cached by
 * {@link AccessCache}. Immutable and thread-safe.
 *
 * @param roles role names, sorted
 * @param permissions permission names, sorted
 * @param active whether the account is active (a suspended user is refused)
 * @param tenant the user's tenant as it is now; null only in entries cached before tenants had a
 *     plan and a status, which then count as active
 */
public record UserAccess(List<String> roles, List<String> permissions, boolean active, @Nullable Tenant tenant) {
  /** Copies the lists. */
  public UserAccess {
    roles = List.copyOf(roles);
    permissions = List.copyOf(permissions);
  }

  /**
   * A tenant's standing, as its users' sessions show it.
   *
   * @param slug the tenant's slug
   * @param name the tenant's name
   * @param plan {@code free}, {@code pro} or {@code enterprise}
   * @param status {@code active} or {@code suspended}
   */
  public record Tenant(String slug, String name, String plan, String status) {}

  /** Whether the user's tenant is suspended, which refuses everything its users ask. */
  public boolean tenantSuspended() {
    return tenant != null && "suspended".equals(tenant.status());
  }
}
