package io.tierstate.server.roles;

import java.util.List;

/**
 * The roles of one tenant, sorted by name: the answer of {@code GET /api/v1/tenants/{t}/roles}
 * and what is cached. Immutable.
 *
 * @param items the roles
 */
record RoleList(List<RoleView> items) {
  RoleList {
    items = List.copyOf(items);
  }
}
