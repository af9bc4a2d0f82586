package io.tierstate.server.analytics;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A tenant's analytics over a range, as the API sends them and the cache holds them.
 *
 * @param range the range, as asked ({@code 7d})
 * @param from the first UTC day counted
 * @param to the last UTC day counted (today, when computed)
 * @param computedAt when PostgreSQL computed them; the entry is at most an hour old
 * @param users the tenant's users now
 * @param signIns successful sign-ins per UTC day, one entry per day of the range, oldest first
 */
record TenantAnalytics(String range, LocalDate from, LocalDate to, Instant computedAt, Users users,
    List<DayCount> signIns) {
  TenantAnalytics {
    Objects.requireNonNull(range, "range");
    signIns = List.copyOf(signIns);
  }

  /**
   * The tenant's users.
   *
   * @param total every user of the tenant
   * @param byStatus users per status ({@code active}, {@code suspended}), each status present
   * @param byRole holders per role name, sorted by name; a user with two roles counts in both
   */
  record Users(long total, Map<String, Long> byStatus, List<RoleCount> byRole) {
    Users {
      byStatus = Map.copyOf(byStatus);
      byRole = List.copyOf(byRole);
    }
  }

  /** The holders of one role. */
  record RoleCount(String role, long users) {}

  /** A count for one UTC day. */
  record DayCount(LocalDate day, long count) {}
}
