package io.tierstate.server.auth;

import java.util.List;

/**
 * What a user may do: their roles, the union of the roles' permissions, and whether the account
 * is active. Cached by {@link AccessCache}. Immutable and thread-safe.
 *
 * @param roles role names, sorted
 * @param permissions permission names, sorted
 * @param active whether the account is active (a suspended user is refused)
 */
public record UserAccess(List<String> roles, List<String> permissions, boolean active) {
  /** Copies the lists. */
  public UserAccess {
    roles = List.copyOf(roles);
    permissions = List.copyOf(permissions);
  }
}
