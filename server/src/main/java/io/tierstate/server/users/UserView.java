package io.tierstate.server.users;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A user as the API shows it, and as it is cached. Immutable.
 *
 * @param roles role names, sorted
 * @param version bumped by every change, including role changes
 */
record UserView(UUID id, UUID tenantId, String email, String displayName, String status, List<String> roles,
    Instant createdAt, Instant updatedAt, long version) {
  UserView {
    roles = List.copyOf(roles);
  }
}
