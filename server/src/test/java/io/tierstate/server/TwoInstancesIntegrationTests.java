package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two instances sharing one PostgreSQL and one Redis, as behind a load balancer. */
class TwoInstancesIntegrationTests {
  private static TestInfrastructure infra;
  private static TierstateServer a;
  private static TierstateServer b;

  @BeforeAll
  static void start() {
    infra = new TestInfrastructure();
    a = infra.startServer(Map.of());
    b = infra.startServer(Map.of());
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
    infra.close();
  }

  @Test
  void aSessionStartedOnOneInstanceWorksOnTheOtherAndEndsOnBothAtOnce() {
    Browser onA = TestInfrastructure.browser(a);
    assertThat(onA.login("bob@globex.test", TestInfrastructure.PASSWORD).statusCode()).isEqualTo(200);
    Browser onB = onA.on(b.baseUrl());
    assertThat(onB.get("/api/v1/auth/session").statusCode()).isEqualTo(200);

    assertThat(onB.post("/api/v1/auth/refresh", "").statusCode()).isEqualTo(200);
    Browser backOnA = onB.on(a.baseUrl());
    assertThat(backOnA.get("/api/v1/auth/session").statusCode()).isEqualTo(200);

    assertThat(backOnA.post("/api/v1/auth/logout", "").statusCode()).isEqualTo(204);
    // B still holds the old cookies: the session is gone from Redis, so B refuses them at once.
    assertThat(onB.get("/api/v1/auth/session").statusCode()).isEqualTo(401);
  }

  @Test
  void demoDataIsLoadedOnceHoweverManyInstancesStart() {
    // Both instances started with TIERSTATE_DEMO=true on one database; a third load adds nothing.
    assertThat(io.tierstate.server.demo.DemoData.load(a.database(), new io.tierstate.server.auth.PasswordHasher()))
        .isZero();
    assertThat(a.database().queryOne("SELECT count(*) FROM users", row -> row.getLong(1))).hasValue(5L);
    assertThat(a.database().queryOne("SELECT count(*) FROM tenants", row -> row.getLong(1))).hasValue(2L);
  }

  @Test
  void aSuspensionOnOneInstanceIsSeenByTheOtherOnItsNextRequest() throws Exception {
    Browser onB = TestInfrastructure.browser(b);
    JsonNode me = new ObjectMapper().readTree(onB.login("carol@acme.test", TestInfrastructure.PASSWORD).body());
    assertThat(onB.get("/api/v1/auth/session").statusCode()).isEqualTo(200); // B's L1 now holds carol's access
    UUID tenant = UUID.fromString(me.at("/tenant/id").asText());
    UUID user = UUID.fromString(me.at("/user/id").asText());
    try {
      a.database().update("UPDATE users SET status = 'suspended' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(a.tierstate(), a.database()).invalidateUser(tenant, user);
      // The invalidation travels to B; poll until it arrived (normally a few milliseconds).
      long deadline = System.nanoTime() + 10_000_000_000L;
      int status;
      do {
        status = onB.get("/api/v1/auth/session").statusCode();
      } while (status == 200 && System.nanoTime() < deadline);
      assertThat(status).isEqualTo(403);
    } finally {
      a.database().update("UPDATE users SET status = 'active' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(a.tierstate(), a.database()).invalidateUser(tenant, user);
    }
  }
}
