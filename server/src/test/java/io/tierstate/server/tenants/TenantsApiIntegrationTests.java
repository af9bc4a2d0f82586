package io.tierstate.server.tenants;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.TierstateServer;
import io.tierstate.server.auth.PasswordHasher;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.EventListener;
import io.tierstate.server.testing.EventListener.Event;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tenants on two instances sharing PostgreSQL and Redis: the platform administrator's list,
 * creation and changes; tenant admins who see only their own tenant; suspension ending sessions
 * and streams everywhere and blocking sign-in until reactivation; tenant events.
 */
class TenantsApiIntegrationTests {
  private static final Duration DELIVERY = Duration.ofSeconds(10);
  private static final String PASSWORD = "correct-horse-battery";

  @RegisterExtension
  static final TestStack stack = TestStack.withServers(2);
  private static TierstateServer a;
  private static TierstateServer b;
  private static ApiClient root;
  private static ApiClient acmeAdmin;
  private static ApiClient alice;
  private static ApiClient globexAdmin;

  @BeforeAll
  static void start() {
    a = stack.server(0);
    b = stack.server(1);
    root = TestStack.signedIn(a, "root@tierstate.test");
    acmeAdmin = TestStack.signedIn(a, "admin@acme.test");
    alice = TestStack.signedIn(a, "alice@acme.test");
    globexAdmin = TestStack.signedIn(a, "admin@globex.test");
  }

  private static String tenant(UUID id) {
    return "/api/v1/tenants/" + id;
  }

  private static JsonNode create(String slug, String name, String plan) {
    Answer created = root.post("/api/v1/tenants", Map.of("slug", slug, "name", name, "plan", plan));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.json();
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A user of {@code tenantId} with {@code role}, straight in PostgreSQL (platform admins manage tenants, not their users). */
  private static String addUser(UUID tenantId, String role) {
    String email = unique("t") + "@" + tenantId.toString().substring(0, 8) + ".test";
    UUID id = UUID.randomUUID();
    a.database().update("INSERT INTO users (id, tenant_id, email, password_hash, display_name) VALUES (?, ?, ?, ?, ?)",
        id, tenantId, email, new PasswordHasher().hash(PASSWORD), "Tenant User");
    a.database().update("INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE tenant_id IS NULL AND name = ?",
        id, role);
    return email;
  }

  @Test
  void thePlatformAdminCreatesReadsAndChangesATenant() {
    String slug = unique("new-");
    Answer created = root.post("/api/v1/tenants", Map.of("slug", slug, "name", " Newco Ltd "));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonNode tenant = created.json();
    List<String> fields = new ArrayList<>();
    tenant.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("id", "slug", "name", "plan", "status", "userCount", "createdAt", "updatedAt",
        "version");
    String id = tenant.get("id").asText();
    assertThat(tenant.get("slug").asText()).isEqualTo(slug);
    assertThat(tenant.get("name").asText()).isEqualTo("Newco Ltd");
    assertThat(tenant.get("plan").asText()).isEqualTo("free");
    assertThat(tenant.get("status").asText()).isEqualTo("active");
    assertThat(tenant.get("userCount").asLong()).isZero();
    assertThat(tenant.get("version").asLong()).isEqualTo(1);
    assertThat(created.header("Location")).isEqualTo("/api/v1/tenants/" + id);
    assertThat(created.header("ETag")).isNotBlank();

    Answer read = root.get("/api/v1/tenants/" + id);
    assertThat(read.json()).isEqualTo(tenant);
    assertThat(root.get("/api/v1/tenants/" + id, Map.of("If-None-Match", read.header("ETag"))).status()).isEqualTo(304);

    Answer changed = root.patch("/api/v1/tenants/" + id, Map.of("name", "Newco Group", "plan", "enterprise"),
        Map.of("If-Match", read.header("ETag")));
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.json().get("name").asText()).isEqualTo("Newco Group");
    assertThat(changed.json().get("plan").asText()).isEqualTo("enterprise");
    assertThat(changed.json().get("version").asLong()).isEqualTo(2);
    Answer stale = root.patch("/api/v1/tenants/" + id, Map.of("plan", "free"), Map.of("If-Match", read.header("ETag")));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.errorCode()).isEqualTo("precondition_failed");
    assertThat(root.get("/api/v1/tenants/" + id).json()).isEqualTo(changed.json());

    Answer taken = root.post("/api/v1/tenants", Map.of("slug", slug, "name", "Copycat"));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.errorCode()).isEqualTo("slug_taken");
    assertThat(root.get("/api/v1/tenants?q=" + slug).json().get("total").asLong()).isEqualTo(1);
  }

  @Test
  void badInputIs400AndChangesNothing() {
    for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of("name", "No Slug"), Map.of("slug", "ok-slug"),
        Map.of("slug", "Upper", "name", "X"), Map.of("slug", "-dash", "name", "X"), Map.of("slug", "a", "name", "X"),
        Map.of("slug", "has space", "name", "X"), Map.of("slug", unique("p-"), "name", "X", "plan", "gold"),
        Map.of("slug", unique("p-"), "name", "x".repeat(201)))) {
      Answer answer = root.post("/api/v1/tenants", body);
      assertThat(answer.status()).as(body.toString()).isEqualTo(400);
      assertThat(answer.errorCode()).as(body.toString()).isEqualTo("invalid_field");
    }
    assertThat(root.post("/api/v1/tenants", Map.of("slug", unique("p-"), "name", "X", "owner", "me")).errorCode())
        .isEqualTo("unknown_field");
    String acme = tenant(acmeAdmin.tenantId());
    assertThat(root.patch(acme, "{}").errorCode()).isEqualTo("invalid_field");
    assertThat(root.patch(acme, Map.of("status", "deleted")).errorCode()).isEqualTo("invalid_field");
    assertThat(root.patch(acme, Map.of("plan", "gold")).errorCode()).isEqualTo("invalid_field");
    assertThat(root.patch(acme, Map.of("name", " ")).errorCode()).isEqualTo("invalid_field");
    assertThat(root.get("/api/v1/tenants/not-a-uuid").errorCode()).isEqualTo("invalid_id");
    Answer unknown = root.get(tenant(UUID.randomUUID()));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorCode()).isEqualTo("not_found");
    assertThat(root.patch(tenant(UUID.randomUUID()), Map.of("name", "Ghost")).status()).isEqualTo(404);
    for (String query : List.of("?sort=password", "?sort=-", "?size=0", "?size=101", "?page=0", "?plan=gold",
        "?status=gone", "?stauts=active", "?q=" + "x".repeat(201), "?plan=free&plan=pro")) {
      Answer answer = root.get("/api/v1/tenants" + query);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.errorCode()).as(query).isIn("invalid_parameter", "unknown_parameter");
    }
    assertThat(root.get(acme).json().get("name").asText()).isEqualTo("Acme Corporation");
    // The platform administrator cannot lock everybody out by suspending their own tenant.
    Answer own = root.patch(tenant(root.tenantId()), Map.of("status", "suspended"));
    assertThat(own.status()).isEqualTo(409);
    assertThat(own.errorCode()).isEqualTo("cannot_suspend_own_tenant");
    assertThat(root.get(tenant(root.tenantId())).json().get("status").asText()).isEqualTo("active");
  }

  @Test
  void theListFiltersSortsAndPages() {
    String tag = unique("lst");
    JsonNode gamma = create(tag + "-c", "Gamma " + tag, "pro");
    JsonNode alpha = create(tag + "-a", "Alpha " + tag, "free");
    JsonNode beta = create(tag + "-b", "Beta " + tag, "enterprise");
    assertThat(root.patch(tenant(UUID.fromString(beta.get("id").asText())), Map.of("status", "suspended")).status())
        .isEqualTo(200);

    JsonNode all = root.get("/api/v1/tenants?q=" + tag).json();
    assertThat(all.get("total").asLong()).isEqualTo(3);
    assertThat(all.get("page").asInt()).isEqualTo(1);
    assertThat(all.get("size").asInt()).isEqualTo(20);
    assertThat(all.get("totalPages").asLong()).isEqualTo(1);
    assertThat(all.get("items")).extracting(t -> t.get("id").asText())
        .containsExactly(gamma.get("id").asText(), alpha.get("id").asText(), beta.get("id").asText());
    assertThat(root.get("/api/v1/tenants?q=" + tag.toUpperCase() + "&sort=name").json().get("items"))
        .extracting(t -> t.get("name").asText()).containsExactly("Alpha " + tag, "Beta " + tag, "Gamma " + tag);
    assertThat(root.get("/api/v1/tenants?q=" + tag + "&sort=-slug").json().get("items"))
        .extracting(t -> t.get("slug").asText()).containsExactly(tag + "-c", tag + "-b", tag + "-a");
    assertThat(root.get("/api/v1/tenants?q=" + tag + "&sort=plan").json().get("items"))
        .extracting(t -> t.get("plan").asText()).containsExactly("enterprise", "free", "pro");
    assertThat(root.get("/api/v1/tenants?q=" + tag + "&sort=-status").json().get("items").get(0).get("id").asText())
        .isEqualTo(beta.get("id").asText());
    assertThat(root.get("/api/v1/tenants?q=" + tag + "&plan=pro").json().get("items"))
        .extracting(t -> t.get("id").asText()).containsExactly(gamma.get("id").asText());
    assertThat(root.get("/api/v1/tenants?q=" + tag + "&status=suspended").json().get("items"))
        .extracting(t -> t.get("id").asText()).containsExactly(beta.get("id").asText());
    JsonNode page2 = root.get("/api/v1/tenants?q=" + tag + "&sort=slug&size=2&page=2").json();
    assertThat(page2.get("items")).extracting(t -> t.get("slug").asText()).containsExactly(tag + "-c");
    assertThat(page2.get("totalPages").asLong()).isEqualTo(2);
    assertThat(root.get("/api/v1/tenants?q=" + tag + "%25").json().get("total").asLong()).isZero();

    // Every tenant without a filter, with its live user count.
    JsonNode everyone = root.get("/api/v1/tenants?size=100&sort=slug").json();
    assertThat(everyone.get("items")).extracting(t -> t.get("slug").asText()).contains("acme", "globex", "platform");
    for (JsonNode item : everyone.get("items")) {
      long users = a.database().queryOne("SELECT count(*) FROM users WHERE tenant_id = ?", row -> row.getLong(1),
          UUID.fromString(item.get("id").asText())).orElseThrow();
      assertThat(item.get("userCount").asLong()).as(item.get("slug").asText()).isEqualTo(users);
    }
    Answer list = root.get("/api/v1/tenants?q=" + tag);
    assertThat(root.get("/api/v1/tenants?q=" + tag, Map.of("If-None-Match", list.header("ETag"))).status())
        .isEqualTo(304);
  }

  @Test
  void tenantAdminsAndMembersSeeOnlyTheirOwnTenant() {
    for (ApiClient user : List.of(acmeAdmin, alice)) {
      Answer list = user.get("/api/v1/tenants");
      assertThat(list.status()).isEqualTo(403);
      assertThat(list.errorCode()).isEqualTo("forbidden");
      assertThat(user.post("/api/v1/tenants", Map.of("slug", unique("x-"), "name", "Mine")).status()).isEqualTo(403);
      for (UUID other : List.of(globexAdmin.tenantId(), root.tenantId(), UUID.randomUUID())) {
        Answer read = user.get(tenant(other));
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.errorCode()).isEqualTo("not_found");
        assertThat(user.patch(tenant(other), Map.of("name", "Hijacked")).status()).isEqualTo(404);
        assertThat(user.patch(tenant(other), Map.of("status", "suspended")).status()).isEqualTo(404);
      }
      Answer own = user.get(tenant(acmeAdmin.tenantId()));
      assertThat(own.status()).isEqualTo(200);
      assertThat(own.json().get("slug").asText()).isEqualTo("acme");
    }
    assertThat(root.get(tenant(globexAdmin.tenantId())).json().get("name").asText()).isEqualTo("Globex Corporation");
    assertThat(root.get(tenant(globexAdmin.tenantId())).json().get("status").asText()).isEqualTo("active");

    // The tenant admin renames their tenant, but its plan and status are the platform's.
    String acme = tenant(acmeAdmin.tenantId());
    Answer renamed = acmeAdmin.patch(acme, Map.of("name", "Acme Corp"));
    assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
    assertThat(renamed.json().get("name").asText()).isEqualTo("Acme Corp");
    for (Map<String, String> body : List.of(Map.of("plan", "enterprise"), Map.of("status", "suspended"),
        Map.of("name", "Acme Inc", "plan", "pro"))) {
      Answer refused = acmeAdmin.patch(acme, body);
      assertThat(refused.status()).as(body.toString()).isEqualTo(403);
      assertThat(refused.errorCode()).isEqualTo("forbidden");
    }
    assertThat(alice.patch(acme, Map.of("name", "Alice's")).status()).isEqualTo(403);
    JsonNode now = root.get(acme).json();
    assertThat(now.get("name").asText()).isEqualTo("Acme Corp");
    assertThat(now.get("plan").asText()).isEqualTo("free");
    assertThat(root.patch(acme, Map.of("name", "Acme Corporation")).status()).isEqualTo(200);
  }

  @Test
  void theSessionShowsTheTenantsPlanAndStatusAsTheyAreNow() {
    ApiClient carol = TestStack.signedIn(b, "carol@acme.test");
    JsonNode before = carol.get("/api/v1/auth/session").json().get("tenant");
    assertThat(before.get("plan").asText()).isEqualTo("free");
    assertThat(before.get("status").asText()).isEqualTo("active");
    assertThat(before.get("slug").asText()).isEqualTo("acme");
    try {
      assertThat(root.patch(tenant(carol.tenantId()), Map.of("plan", "pro")).status()).isEqualTo(200);
      // Changed on A, read on B: the tenant's standing in carol's access entry was dropped everywhere.
      JsonNode after = Await.until(() -> carol.get("/api/v1/auth/session").json().get("tenant"),
          t -> t.get("plan").asText().equals("pro"), DELIVERY);
      assertThat(after.get("plan").asText()).isEqualTo("pro");
      Answer login = TestStack.client(a).login("alice@acme.test", TestStack.PASSWORD);
      assertThat(login.json().at("/tenant/plan").asText()).isEqualTo("pro");
    } finally {
      root.patch(tenant(carol.tenantId()), Map.of("plan", "free"));
    }
  }

  @Test
  void tenantChangesReachTheTenantsStreamsAndEveryPlatformAdminsOnly() {
    ApiClient rootOnB = root.on(b.baseUrl());
    try (EventListener acmeStream = acmeAdmin.on(b.baseUrl()).events(); EventListener rootStream = rootOnB.events();
        EventListener globexStream = globexAdmin.events()) {
      String acme = acmeAdmin.tenantId().toString();
      assertThat(acmeAdmin.patch(tenant(acmeAdmin.tenantId()), Map.of("name", "Acme Events")).status()).isEqualTo(200);
      Event ownTenant = acmeStream.await(e -> e.name().equals("invalidate")
          && e.data().path("entity").asText().equals("tenant"), DELIVERY);
      assertThat(ownTenant).as("acme stream: %s", acmeStream.received()).isNotNull();
      assertThat(ownTenant.data().get("id").asText()).isEqualTo(acme);
      assertThat(ownTenant.data().get("tags")).extracting(JsonNode::asText)
          .containsExactly("tenant:" + acme + ":tenant:" + acme);
      Event platform = rootStream.await(e -> e.name().equals("invalidate")
          && e.data().path("entity").asText().equals("tenant") && e.data().path("id").asText().equals(acme), DELIVERY);
      assertThat(platform).as("root stream: %s", rootStream.received()).isNotNull();
      // The platform administrator hears that acme changed, but none of acme's key names (its users).
      assertThat(platform.data().has("keys")).as(platform.data().toString()).isFalse();

      JsonNode created = create(unique("ev-"), "Evented", "free");
      assertThat(rootStream.await(e -> e.name().equals("invalidate")
          && e.data().path("id").asText().equals(created.get("id").asText()), DELIVERY)).isNotNull();

      // Globex's stream heard of neither: a change of globex proves it is live.
      assertThat(globexAdmin.patch(tenant(globexAdmin.tenantId()), Map.of("name", "Globex Corporation")).status())
          .isEqualTo(200);
      assertThat(globexStream.await(e -> e.name().equals("invalidate")
          && e.data().path("id").asText().equals(globexAdmin.tenantId().toString()), DELIVERY)).isNotNull();
      assertThat(globexStream.received()).noneMatch(e -> e.data().toString().contains(acme)
          || e.data().toString().contains(created.get("id").asText()));
      assertThat(acmeStream.received()).noneMatch(e -> e.data().toString().contains(created.get("id").asText()));
    } finally {
      root.patch(tenant(acmeAdmin.tenantId()), Map.of("name", "Acme Corporation"));
    }
  }

  @Test
  void aSuspensionEndsEverySessionAndStreamOfTheTenantAndBlocksItsUsersUntilReactivated() {
    JsonNode created = create(unique("sus-"), "Suspendable", "pro");
    UUID id = UUID.fromString(created.get("id").asText());
    String adminEmail = addUser(id, "tenant_admin");
    String memberEmail = addUser(id, "member");
    ApiClient tenantAdmin = TestStack.client(a);
    tenantAdmin.login(adminEmail, PASSWORD);
    ApiClient tenantMember = TestStack.client(b);
    tenantMember.login(memberEmail, PASSWORD);
    assertThat(root.get(tenant(id)).json().get("userCount").asLong()).isEqualTo(2);
    // Something cached for the tenant, to see it dropped.
    assertThat(tenantMember.get("/api/v1/me/preferences").status()).isEqualTo(200);
    String prefsKey = "ts:{tenant:" + id + ":user:" + tenantMember.userId() + ":intl-prefs}";
    assertThat(stack.redis().command("EXISTS", prefsKey)).isEqualTo("1");

    try (EventListener adminStream = tenantAdmin.events(); EventListener memberStream = tenantMember.events();
        EventListener acmeStream = alice.on(b.baseUrl()).events(); EventListener rootStream = root.events()) {
      Answer suspended = root.patch(tenant(id), Map.of("status", "suspended"));
      assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
      assertThat(suspended.json().get("status").asText()).isEqualTo("suspended");

      for (EventListener stream : List.of(adminStream, memberStream)) {
        Event end = stream.await(e -> e.name().equals("end"), DELIVERY);
        assertThat(end).as("events: %s", stream.received()).isNotNull();
        assertThat(end.data().get("reason").asText()).isEqualTo("tenant_suspended");
        assertThat(Await.until(stream::ended, ended -> ended, DELIVERY)).isTrue();
      }
      assertThat(rootStream.await(e -> e.name().equals("invalidate") && e.data().path("id").asText()
          .equals(id.toString()), DELIVERY)).isNotNull();
      assertThat(rootStream.ended()).isFalse();
      assertThat(acmeStream.ended()).isFalse();
      assertThat(acmeStream.received()).noneMatch(e -> e.name().equals("end") || e.data().toString().contains(id.toString()));
    }

    // Sessions are gone on every node, cached entries too, and nobody of the tenant gets back in.
    assertThat(a.tierstate().sessions().countTenantSessions(id.toString())).isZero();
    assertThat(stack.redis().command("EXISTS", prefsKey)).isEqualTo("0");
    // Their tokens still name them: the answer says why the session is gone.
    for (Answer refused : List.of(tenantAdmin.get("/api/v1/auth/session"),
        tenantMember.on(a.baseUrl()).get("/api/v1/users/" + tenantMember.userId() + "/permissions"),
        tenantMember.post("/api/v1/auth/refresh", ""))) {
      assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
      assertThat(refused.errorCode()).isEqualTo("tenant_suspended");
    }
    assertThat(tenantMember.cookie("refreshToken")).isEmpty();
    for (String email : List.of(adminEmail, memberEmail)) {
      for (TierstateServer server : List.of(a, b)) {
        Answer login = TestStack.client(server).attemptLogin(email, PASSWORD);
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.errorCode()).isEqualTo("tenant_suspended");
      }
    }
    assertThat(root.get("/api/v1/tenants?status=suspended&size=100").json().get("items"))
        .extracting(t -> t.get("id").asText()).contains(id.toString());
    // Other tenants are untouched.
    assertThat(alice.get("/api/v1/auth/session").status()).isEqualTo(200);

    Answer reactivated = root.patch(tenant(id), Map.of("status", "active"));
    assertThat(reactivated.status()).isEqualTo(200);
    // Sessions do not come back: the old token's session simply ended.
    assertThat(tenantAdmin.get("/api/v1/auth/session").errorCode()).isEqualTo("session_ended");
    ApiClient back = TestStack.client(b);
    assertThat(back.attemptLogin(memberEmail, PASSWORD).status()).isEqualTo(200);
    assertThat(back.get("/api/v1/auth/session").json().at("/tenant/status").asText()).isEqualTo("active");
    assertThat(back.get("/api/v1/me/preferences").status()).isEqualTo(200);
  }

  @Test
  void aSuspendedTenantsLiveTokensAreRefused() {
    // Between the commit and the end of the sessions, or with a session that survived, the access
    // entry says the tenant is suspended: every request, and a refresh, is 403 tenant_suspended.
    JsonNode created = create(unique("tok-"), "Tokens", "free");
    UUID id = UUID.fromString(created.get("id").asText());
    ApiClient user = TestStack.client(a);
    user.login(addUser(id, "member"), PASSWORD);
    a.database().update("UPDATE tenants SET status = 'suspended' WHERE id = ?", id);
    new io.tierstate.server.auth.AccessCache(a.tierstate(), a.database()).tenantChanged(id);
    Answer refused = Await.until(() -> user.on(b.baseUrl()).get("/api/v1/auth/session"), r -> r.status() == 403,
        DELIVERY);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.errorCode()).isEqualTo("tenant_suspended");
    Answer refresh = user.post("/api/v1/auth/refresh", "");
    assertThat(refresh.status()).isEqualTo(403);
    assertThat(refresh.errorCode()).isEqualTo("tenant_suspended");
    assertThat(user.cookie("refreshToken")).isEmpty();
  }
}
