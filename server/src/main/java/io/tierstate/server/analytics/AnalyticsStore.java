package io.tierstate.server.analytics;

import io.tierstate.server.db.Database;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Computes tenant analytics in PostgreSQL. Thread-safe. */
final class AnalyticsStore {
  private static final List<String> STATUSES = List.of("active", "suspended");

  private final Database db;

  AnalyticsStore(Database db) {
    this.db = db;
  }

  /**
   * The tenant's analytics over {@code range}, all read in one REPEATABLE READ snapshot so that
   * the totals agree with each other; empty if there is no such tenant.
   */
  Optional<TenantAnalytics> compute(UUID tenantId, AnalyticsRange range) {
    return db.inTransaction(tx -> {
      tx.update("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      Optional<LocalDate> today = tx.queryOne("""
          SELECT (now() AT TIME ZONE 'UTC')::date FROM tenants WHERE id = ?""",
          row -> row.getObject(1, LocalDate.class), tenantId);
      if (today.isEmpty()) {
        return Optional.empty();
      }
      LocalDate to = today.get();
      LocalDate from = to.minusDays(range.days() - 1L);
      Map<String, Long> byStatus = new LinkedHashMap<>();
      STATUSES.forEach(status -> byStatus.put(status, 0L));
      tx.query("SELECT status, count(*) FROM users WHERE tenant_id = ? GROUP BY status",
          row -> Map.entry(row.getString(1), row.getLong(2)), tenantId)
          .forEach(count -> byStatus.put(count.getKey(), count.getValue()));
      long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
      List<TenantAnalytics.RoleCount> byRole = tx.query("""
          SELECT r.name, count(*) FROM user_roles ur
          JOIN users u ON u.id = ur.user_id JOIN roles r ON r.id = ur.role_id
          WHERE u.tenant_id = ? GROUP BY r.name ORDER BY r.name""",
          row -> new TenantAnalytics.RoleCount(row.getString(1), row.getLong(2)), tenantId);
      // Every day of the range, zero where nobody signed in, so a chart needs no gap filling.
      List<TenantAnalytics.DayCount> signIns = tx.query("""
          SELECT d::date, coalesce(s.sign_ins, 0)
          FROM generate_series(?::date, ?::date, interval '1 day') d
          LEFT JOIN sign_in_days s ON s.tenant_id = ? AND s.day = d::date
          ORDER BY d""",
          row -> new TenantAnalytics.DayCount(row.getObject(1, LocalDate.class), row.getLong(2)), from, to, tenantId);
      return Optional.of(new TenantAnalytics(range.text(), from, to, Instant.now(),
          new TenantAnalytics.Users(total, byStatus, byRole), signIns));
    });
  }
}
