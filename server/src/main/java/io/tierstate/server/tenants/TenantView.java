package io.tierstate.server.tenants;

import java.time.Instant;
import java.util.UUID;

/**
 * A tenant as the API shows it. Immutable.
 *
 * @param slug its short unique name, {@code [a-z0-9][a-z0-9-]{1,62}}
 * @param plan {@code free}, {@code pro} or {@code enterprise}
 * @param status {@code active} or {@code suspended}
 * @param userCount how many users it has
 * @param version bumped by every change
 */
record TenantView(UUID id, String slug, String name, String plan, String status, long userCount, Instant createdAt,
    Instant updatedAt, long version) {}
