package io.tierstate.server.demo;

import io.tierstate.server.auth.PasswordHasher;
import io.tierstate.server.db.Database;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the demo tenants {@code acme} and {@code globex} and their users, and the tenant {@code
 * platform} with the platform administrator {@code root@tierstate.test}, all with the password
 * {@value #PASSWORD}. Idempotent: what exists is left alone (a changed password stays changed),
 * what is missing is added, so it may run on every start.
 */
public final class DemoData {
  /** The password of every demo user. */
  public static final String PASSWORD = "tierstate-demo";

  private static final Logger log = LoggerFactory.getLogger(DemoData.class);

  private record DemoTenant(String slug, String name) {}

  private record DemoUser(String tenantSlug, String email, String displayName, List<String> roles) {}

  private static final List<DemoTenant> TENANTS = List.of(
      new DemoTenant("acme", "Acme Corporation"), new DemoTenant("globex", "Globex Corporation"),
      new DemoTenant("platform", "Tierstate Platform"));

  /** The platform administrator of the demo (also the tenant admin of the tenant {@code platform}). */
  public static final String ROOT = "root@tierstate.test";

  /** The demo users; the first of each tenant is its admin. */
  public static final List<String> EMAILS = List.of(
      "admin@acme.test", "alice@acme.test", "carol@acme.test", "admin@globex.test", "bob@globex.test", ROOT);

  private static final List<DemoUser> USERS = List.of(
      new DemoUser("acme", "admin@acme.test", "Acme Admin", List.of("tenant_admin")),
      new DemoUser("acme", "alice@acme.test", "Alice Anderson", List.of("member")),
      new DemoUser("acme", "carol@acme.test", "Carol Chen", List.of("member")),
      new DemoUser("globex", "admin@globex.test", "Globex Admin", List.of("tenant_admin")),
      new DemoUser("globex", "bob@globex.test", "Bob Brown", List.of("member")),
      new DemoUser("platform", ROOT, "Root", List.of("platform_admin", "tenant_admin")));

  private DemoData() {}

  /**
   * Adds whatever demo data is missing, in one transaction.
   *
   * @return how many users were added
   */
  public static int load(Database database, PasswordHasher hasher) {
    int added = database.inTransaction(tx -> {
      for (DemoTenant tenant : TENANTS) {
        tx.update("INSERT INTO tenants (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING",
            tenant.slug(), tenant.name());
      }
      int count = 0;
      for (DemoUser user : USERS) {
        boolean exists = tx.queryOne("SELECT 1 FROM users WHERE email = ?", row -> true, user.email()).isPresent();
        if (exists) {
          continue;
        }
        UUID tenantId = tx.queryOne("SELECT id FROM tenants WHERE slug = ?", row -> row.getObject(1, UUID.class),
            user.tenantSlug()).orElseThrow();
        UUID userId = UUID.randomUUID();
        tx.update("INSERT INTO users (id, tenant_id, email, password_hash, display_name) VALUES (?, ?, ?, ?, ?)",
            userId, tenantId, user.email(), hasher.hash(PASSWORD), user.displayName());
        for (String role : user.roles()) {
          tx.update("""
              INSERT INTO user_roles (user_id, role_id)
              SELECT ?, id FROM roles WHERE tenant_id IS NULL AND name = ?""", userId, role);
        }
        count++;
      }
      return count;
    });
    log.atInfo().addKeyValue("usersAdded", added).log("demo data loaded");
    return added;
  }

  /** How to sign in, for the start-up log. */
  public static String instructions(String baseUrl) {
    return String.join("\n",
        "Demo data: tenants acme, globex and platform; users " + String.join(", ", EMAILS)
            + " (the admin@ users are tenant admins, " + ROOT + " the platform administrator), all with the password '"
            + PASSWORD + "'.",
        "Sign in with curl:",
        "  curl -c cookies.txt -H 'Origin: " + baseUrl + "' -H 'Content-Type: application/json' \\",
        "       -d '{\"email\":\"admin@acme.test\",\"password\":\"" + PASSWORD + "\"}' " + baseUrl + "/api/v1/auth/login",
        "  curl -b cookies.txt " + baseUrl + "/api/v1/auth/session");
  }
}
