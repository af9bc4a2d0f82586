package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.TestStack;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two instances sharing one PostgreSQL and one Redis, as behind a load balancer. */
class TwoInstancesIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServers(2);
  private static TierstateServer a;
  private static TierstateServer b;

  @BeforeAll
  static void instances() {
    a = stack.server(0);
    b = stack.server(1);
  }

  @Test
  void aSessionStartedOnOneInstanceWorksOnTheOtherAndEndsOnBothAtOnce() {
    ApiClient onA = TestStack.client(a);
    assertThat(onA.attemptLogin("bob@globex.test", TestStack.PASSWORD).status()).isEqualTo(200);
    ApiClient onB = onA.on(b.baseUrl());
    assertThat(onB.get("/api/v1/auth/session").status()).isEqualTo(200);

    assertThat(onB.post("/api/v1/auth/refresh", "").status()).isEqualTo(200);
    ApiClient backOnA = onB.on(a.baseUrl());
    assertThat(backOnA.get("/api/v1/auth/session").status()).isEqualTo(200);

    assertThat(backOnA.post("/api/v1/auth/logout", "").status()).isEqualTo(204);
    // B still holds the old cookies: the session is gone from Redis, so B refuses them at once.
    assertThat(onB.get("/api/v1/auth/session").status()).isEqualTo(401);
  }

  @Test
  void demoDataIsLoadedOnceHoweverManyInstancesStart() {
    // Both instances started with TIERSTATE_DEMO=true on one database; a third load adds nothing.
    assertThat(io.tierstate.server.demo.DemoData.load(a.database(), new io.tierstate.server.auth.PasswordHasher()))
        .isZero();
    assertThat(a.database().queryOne("SELECT count(*) FROM users", row -> row.getLong(1))).hasValue(6L);
    assertThat(a.database().queryOne("SELECT count(*) FROM tenants", row -> row.getLong(1))).hasValue(3L);
  }

  @Test
  void aSuspensionOnOneInstanceIsSeenByTheOtherOnItsNextRequest() throws Exception {
    ApiClient onB = TestStack.client(b);
    JsonNode me = new ObjectMapper().readTree(onB.attemptLogin("carol@acme.test", TestStack.PASSWORD).body());
    assertThat(onB.get("/api/v1/auth/session").status()).isEqualTo(200); // B's L1 now holds carol's access
    UUID tenant = UUID.fromString(me.at("/tenant/id").asText());
    UUID user = UUID.fromString(me.at("/user/id").asText());
    try {
      a.database().update("UPDATE users SET status = 'suspended' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(a.tierstate(), a.database()).invalidateUser(tenant, user);
      // The invalidation travels to B; poll until it arrived (normally a few milliseconds).
      long deadline = System.nanoTime() + 10_000_000_000L;
      int status;
      do {
        status = onB.get("/api/v1/auth/session").status();
      } while (status == 200 && System.nanoTime() < deadline);
      assertThat(status).isEqualTo(403);
    } finally {
      a.database().update("UPDATE users SET status = 'active' WHERE id = ?", user);
      new io.tierstate.server.auth.AccessCache(a.tierstate(), a.database()).invalidateUser(tenant, user);
    }
  }
}
