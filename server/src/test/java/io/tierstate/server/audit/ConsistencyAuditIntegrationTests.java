package io.tierstate.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.audit.AuditOptions;
import io.tierstate.audit.AuditReport;
import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.TestStack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference service audits what it caches against PostgreSQL: with the change stream off, a
 * write typed in {@code psql} leaves stale users and access in the caches until the auditor finds
 * and repairs them, within its bound; the dashboard shows the nines and the inconsistencies.
 */
class ConsistencyAuditIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer(Map.of("SERVER_CDC", "off", "SERVER_AUDIT_RATE", "50"));

  @Test
  void aPsqlWriteNobodyInvalidatedIsFoundRepairedAndShownOnTheDashboard() throws Exception {
    TierstateServer server = stack.server();
    assertThat(server.tierstate().audit().enabled()).isTrue();
    assertThat(server.tierstate().audit().options().samplesPerSecond()).isEqualTo(50);
    ApiClient admin = TestStack.signedIn(server, "admin@acme.test");
    ApiClient carol = TestStack.signedIn(server, "carol@acme.test"); // caches carol's access
    UUID tenant = carol.tenantId();
    UUID user = carol.userId();
    String path = "/api/v1/tenants/" + tenant + "/users/" + user;
    String name = admin.get(path).json().path("displayName").asText(); // caches carol as a user
    Await.until("the auditor has checked entries and found them consistent",
        () -> server.tierstate().audit().report().consistent() >= 2, Duration.ofSeconds(20));

    long written = System.nanoTime();
    psql("UPDATE users SET display_name = display_name || ' (renamed)', status = 'suspended' WHERE id = ?", user);
    try {
      assertThat(admin.get(path).json().path("displayName").asText()).as("nobody told the cache").isEqualTo(name);
      assertThat(carol.get("/api/v1/auth/session").status()).as("her cached access still lets her in").isEqualTo(200);

      AuditOptions options = server.tierstate().audit().options();
      long entries = server.tierstate().metrics().snapshot().l1Size() + 20; // L1, and some room for L2's own
      Duration bound = options.detectionBound(entries, Duration.ofMillis(20));
      Await.until("the auditor repairs carol's user and access",
          () -> admin.get(path).json().path("displayName").asText().endsWith("(renamed)")
              && carol.get("/api/v1/auth/session").status() != 200,
          bound.plusSeconds(10));
      Duration took = Duration.ofNanos(System.nanoTime() - written);
      assertThat(took).as("within the bound %s", bound).isLessThanOrEqualTo(bound);
    } finally {
      psql("UPDATE users SET display_name = ?, status = 'active' WHERE id = ?", name, user);
    }

    AuditReport report = server.tierstate().audit().report();
    assertThat(report.inconsistent()).isGreaterThanOrEqualTo(2);
    System.out.println("audit cost per sample with the server's PostgreSQL verifiers: " + report.meanSampleCost()
        + " mean over " + (report.consistent() + report.staleInWindow() + report.inconsistent() + report.errors())
        + " samples");

    ApiClient root = TestStack.signedIn(server, "root@tierstate.test");
    // The sampler takes a sample every 2 s: wait for the one after the repair.
    JsonNode feed = Await.until(() -> root.get("/api/v1/dashboard").json(),
        f -> inconsistentOnTheDashboard(f) >= 2 && consistencyCheck(f).equals("DEGRADED")
            && f.path("alerts").toString().contains("consistency"),
        Duration.ofSeconds(15));
    assertThat(inconsistentOnTheDashboard(feed)).as("the inconsistencies, counted on the dashboard")
        .isGreaterThanOrEqualTo(2);
    JsonNode samples = feed.path("samples");
    assertThat(samples.get(samples.size() - 1).path("consistency").path("nines").isNumber()).isTrue();
    assertThat(consistencyCheck(feed)).as("the consistency check after an inconsistency").isEqualTo("DEGRADED");
    assertThat(feed.path("alerts").toString()).as("an alert names the consistency check").contains("consistency");
  }

  private static long inconsistentOnTheDashboard(JsonNode feed) {
    long found = 0;
    for (JsonNode sample : feed.path("samples")) {
      found += sample.path("consistency").path("inconsistent").asLong();
    }
    return found;
  }

  private static String consistencyCheck(JsonNode feed) {
    for (JsonNode check : feed.path("health").path("checks")) {
      if (check.path("name").asText().equals("consistency")) {
        return check.path("status").asText();
      }
    }
    return "absent";
  }

  private static void psql(String sql, Object... args) throws SQLException {
    try (Connection c = stack.server().database().dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.executeUpdate();
    }
  }
}
