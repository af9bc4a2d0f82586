package io.tierstate.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Tenant isolation as a property: whoever is signed in (any user of any tenant, on either
 * instance), whatever route and whatever target of another tenant, the answer is never 2xx and
 * never shows that tenant's data; and the other tenant's data is unchanged afterwards.
 */
class TenantIsolationPropertyIntegrationTests {
  private static final int EXTRA_USERS_PER_TENANT = 3;

  private static TestStack stack;
  private static List<TierstateServer> servers;
  /** Signed-in users of three tenants (the two demo tenants and a third created here). */
  private static List<ApiClient> actors;
  /** Every known user id, by tenant. */
  private static Map<UUID, List<UUID>> usersByTenant;
  private static Map<UUID, List<String>> emailsByTenant;

  @BeforeContainer
  static void start() {
    stack = TestStack.withServers(2).start();
    TierstateServer a = stack.server(0);
    TierstateServer b = stack.server(1);
    servers = List.of(a, b);
    // A third tenant with its own admin, straight in PostgreSQL (platform admins create tenants, not their users).
    UUID initech = UUID.randomUUID();
    a.database().update("INSERT INTO tenants (id, slug, name) VALUES (?, 'initech', 'Initech')", initech);
    UUID initechAdmin = UUID.randomUUID();
    String hash = new io.tierstate.server.auth.PasswordHasher().hash(TestStack.PASSWORD);
    a.database().update("INSERT INTO users (id, tenant_id, email, password_hash, display_name) VALUES (?, ?, ?, ?, ?)",
        initechAdmin, initech, "admin@initech.test", hash, "Initech Admin");
    a.database().update("INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE name = 'tenant_admin'",
        initechAdmin);

    List<String> emails = List.of("admin@acme.test", "alice@acme.test", "carol@acme.test", "admin@globex.test",
        "bob@globex.test", "admin@initech.test");
    actors = new ArrayList<>();
    for (int i = 0; i < emails.size(); i++) {
      actors.add(TestStack.signedIn(servers.get(i % 2), emails.get(i)));
    }
    usersByTenant = new java.util.HashMap<>();
    emailsByTenant = new java.util.HashMap<>();
    for (ApiClient admin : List.of(actors.get(0), actors.get(3), actors.get(5))) {
      for (int i = 0; i < EXTRA_USERS_PER_TENANT; i++) {
        Answer created = admin.post("/api/v1/tenants/" + admin.tenantId() + "/users", Map.of(
            "email", "prop" + i + "-" + UUID.randomUUID().toString().substring(0, 6) + "@t" + admin.tenantId()
                .toString().substring(0, 4) + ".test",
            "displayName", "Property User " + i, "password", "correct-horse-battery"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
      }
      Answer all = admin.get("/api/v1/tenants/" + admin.tenantId() + "/users?size=100");
      List<UUID> ids = new ArrayList<>();
      List<String> addresses = new ArrayList<>();
      all.json().get("items").forEach(u -> {
        ids.add(UUID.fromString(u.get("id").asText()));
        addresses.add(u.get("email").asText());
      });
      usersByTenant.put(admin.tenantId(), ids);
      emailsByTenant.put(admin.tenantId(), addresses);
    }
  }

  @AfterContainer
  static void stop() {
    stack.close();
  }

  enum Route { LIST, LIST_FILTERED, DETAIL, PATCH, DELETE, CREATE, PERMISSIONS, DETAIL_VIA_OWN_TENANT,
    PATCH_VIA_OWN_TENANT, DELETE_VIA_OWN_TENANT, TENANT, TENANT_PATCH, TENANT_ROLES, TENANT_LIST }

  /** One attempt: who, on which instance, which route, against which foreign user. */
  record Attempt(int actor, int server, Route route, int target, boolean unknownTenant) {}

  @Provide
  Arbitrary<Attempt> attempts() {
    return Combinators.combine(
        Arbitraries.integers().between(0, 5),
        Arbitraries.integers().between(0, 1),
        Arbitraries.of(Route.class),
        Arbitraries.integers().between(0, 100),
        Arbitraries.integers().between(0, 9).map(n -> n == 0))
        .as(Attempt::new);
  }

  @Property(tries = 300)
  void aUserOfOneTenantNeverGetsAnotherTenantsData(@ForAll("attempts") Attempt attempt) {
    ApiClient actor = actors.get(attempt.actor()).on(servers.get(attempt.server()).baseUrl());
    List<UUID> foreignTenants = usersByTenant.keySet().stream().filter(t -> !t.equals(actor.tenantId())).sorted().toList();
    UUID tenant = attempt.unknownTenant() ? UUID.randomUUID() : foreignTenants.get(attempt.target() % foreignTenants.size());
    List<UUID> foreignUsers = usersByTenant.getOrDefault(tenant, List.of(UUID.randomUUID()));
    UUID user = foreignUsers.get(attempt.target() % foreignUsers.size());
    String theirs = "/api/v1/tenants/" + tenant + "/users";
    String mine = "/api/v1/tenants/" + actor.tenantId() + "/users";
    Answer answer = switch (attempt.route()) {
      case LIST -> actor.get(theirs);
      case LIST_FILTERED -> actor.get(theirs + "?q=prop&sort=-email&size=100");
      case DETAIL -> actor.get(theirs + "/" + user);
      case PATCH -> actor.patch(theirs + "/" + user, Map.of("displayName", "Hijacked"));
      case DELETE -> actor.delete(theirs + "/" + user);
      case CREATE -> actor.post(theirs, Map.of("email", "intruder-" + UUID.randomUUID() + "@evil.test",
          "displayName", "Intruder", "password", "correct-horse-battery"));
      case PERMISSIONS -> actor.get("/api/v1/users/" + user + "/permissions");
      case DETAIL_VIA_OWN_TENANT -> actor.get(mine + "/" + user);
      case PATCH_VIA_OWN_TENANT -> actor.patch(mine + "/" + user, Map.of("displayName", "Hijacked"));
      case DELETE_VIA_OWN_TENANT -> actor.delete(mine + "/" + user);
      case TENANT -> actor.get("/api/v1/tenants/" + tenant);
      case TENANT_PATCH -> actor.patch("/api/v1/tenants/" + tenant, Map.of("name", "Hijacked"));
      case TENANT_ROLES -> actor.get("/api/v1/tenants/" + tenant + "/roles");
      case TENANT_LIST -> actor.get("/api/v1/tenants?size=100");
    };
    assertThat(answer.status()).as("%s by %s: %s", attempt, actor.userId(), answer).isIn(403, 404);
    String body = answer.response().body();
    for (String email : emailsByTenant.getOrDefault(tenant, List.of())) {
      assertThat(body).doesNotContain(email);
    }
    assertThat(body).doesNotContain("\"email\"").doesNotContain("\"slug\"").doesNotContain("tenant_admin");
    // Nothing landed: the target is as it was, and no user was added to the other tenant.
    if (!attempt.unknownTenant()) {
      assertThat(servers.get(0).database().queryOne("SELECT name FROM tenants WHERE id = ?", row -> row.getString(1),
          tenant)).hasValueSatisfying(name -> assertThat(name).isNotEqualTo("Hijacked"));
      assertThat(servers.get(0).database().queryOne("SELECT display_name FROM users WHERE id = ? AND tenant_id = ?",
          row -> row.getString(1), user, tenant)).hasValueSatisfying(name -> assertThat(name).isNotEqualTo("Hijacked"));
    }
    assertThat(servers.get(0).database().queryOne("SELECT count(*) FROM users WHERE email LIKE 'intruder-%'",
        row -> row.getLong(1))).contains(0L);
  }
}
