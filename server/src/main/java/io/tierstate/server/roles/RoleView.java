package io.tierstate.server.roles;

import java.util.List;

/**
 * A role as the API shows it, and as it is cached. Immutable.
 *
 * @param name the role's name, such as {@code member}
 * @param description what holding it means, for people
 * @param builtIn whether it is built in (available in every tenant) rather than the tenant's own
 * @param permissions its permissions, sorted
 */
record RoleView(String name, String description, boolean builtIn, List<String> permissions) {
  RoleView {
    permissions = List.copyOf(permissions);
  }
}
