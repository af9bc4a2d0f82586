package io.tierstate.server.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.postgres.ChangeStream;
import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.EventListener;
import io.tierstate.server.testing.TestStack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SERVER_CDC=on with two instances: writes made over a plain JDBC connection, as in {@code psql},
 * reach both instances' caches, sessions and event streams.
 */
class ChangeStreamServerIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer(Map.of("SERVER_CDC", "on"));
  private static TierstateServer a;
  private static TierstateServer b;

  @BeforeAll
  static void instances() {
    a = stack.server(0);
    b = stack.startServer(Map.of("SERVER_CDC", "on"));
    await("one instance streams", () -> streaming(a) || streaming(b));
  }

  @Test
  void aSuspensionTypedInPsqlEndsAccessAndSessionsEverywhereAndChangesTheEtag() throws Exception {
    ApiClient admin = TestStack.client(a);
    admin.login("admin@acme.test", TestStack.PASSWORD);
    ApiClient carol = TestStack.client(b);
    carol.login("carol@acme.test", TestStack.PASSWORD);
    UUID tenant = carol.tenantId();
    UUID user = carol.userId();
    String path = "/api/v1/tenants/" + tenant + "/users/" + user;
    ApiClient adminOnB = admin.on(b.baseUrl());
    String etag = adminOnB.get(path).header("ETag");
    assertThat(adminOnB.get(path, Map.of("If-None-Match", etag)).status()).isEqualTo(304);
    assertThat(carol.get("/api/v1/auth/session").status()).isEqualTo(200); // B caches carol's access
    ApiClient carolOnA = carol.on(a.baseUrl());
    assertThat(carolOnA.get("/api/v1/auth/session").status()).isEqualTo(200);

    try (EventListener events = admin.events()) {
      // No version bump: the outside writer changes the status only.
      psql("UPDATE users SET status = 'suspended' WHERE id = ?", user);

      await("carol is refused on B", () -> carol.get("/api/v1/auth/session").status() != 200);
      await("and on A", () -> carolOnA.get("/api/v1/auth/session").status() != 200);
      assertThat(events.await(e -> e.name().equals("invalidate") && e.data().toString().contains(user.toString()),
          Duration.ofSeconds(10))).as("an invalidate event naming carol").isNotNull();
      var fresh = adminOnB.get(path, Map.of("If-None-Match", etag));
      assertThat(fresh.status()).isEqualTo(200);
      assertThat(fresh.header("ETag")).isNotEqualTo(etag);
      assertThat(fresh.json().path("status").asText()).isEqualTo("suspended");
      // Her sessions ended: signing back in is refused while suspended, and the old cookies stay dead.
      assertThat(carol.attemptLogin("carol@acme.test", TestStack.PASSWORD).status()).isNotEqualTo(200);
    } finally {
      psql("UPDATE users SET status = 'active' WHERE id = ?", user);
    }
    await("carol may sign in again", () -> carol.attemptLogin("carol@acme.test", TestStack.PASSWORD).status() == 200);
    // The sessions were ended, not only refused: the cookies from before the suspension are dead.
    assertThat(carolOnA.get("/api/v1/auth/session").status()).isEqualTo(401);
  }

  @Test
  void aRoleGrantedInPsqlChangesThePermissionsOnBothInstances() throws Exception {
    ApiClient alice = TestStack.client(a);
    alice.login("alice@acme.test", TestStack.PASSWORD);
    ApiClient aliceOnB = alice.on(b.baseUrl());
    String path = "/api/v1/users/" + alice.userId() + "/permissions";
    assertThat(alice.get(path).json().path("permissions").toString()).doesNotContain("users:write");
    assertThat(aliceOnB.get(path).json().path("permissions").toString()).doesNotContain("users:write");
    String grant = "INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles"
        + " WHERE tenant_id IS NULL AND name = 'tenant_admin'";
    psql(grant, alice.userId());
    try {
      await("A sees the new permission", () -> alice.get(path).json().path("permissions").toString()
          .contains("users:write"));
      await("B too", () -> aliceOnB.get(path).json().path("permissions").toString().contains("users:write"));
    } finally {
      psql("DELETE FROM user_roles WHERE user_id = ? AND role_id IN"
          + " (SELECT id FROM roles WHERE tenant_id IS NULL AND name = 'tenant_admin')", alice.userId());
    }
    await("the revocation reaches B", () -> !aliceOnB.get(path).json().path("permissions").toString()
        .contains("users:write"));
  }

  private static boolean streaming(TierstateServer server) {
    ChangeStream stream = server.changeStream();
    return stream != null && stream.isStreaming();
  }

  private static void psql(String sql, UUID id) throws SQLException {
    try (Connection c = a.database().dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, id);
      s.executeUpdate();
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    Await.until(what, condition, Duration.ofSeconds(10));
  }

}
