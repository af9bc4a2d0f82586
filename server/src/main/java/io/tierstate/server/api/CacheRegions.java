package io.tierstate.server.api;

import java.util.List;

/**
 * The cache regions the server puts its caches in ({@code CacheOptions.region}): one per family of
 * entries, so the dashboard's region table shows each family's hit rates, loads and L1 entries, and
 * an operator can clear one family on every node. Sessions, rate limits and locks are not in the
 * tiered cache (they live in Redis only), so they have no region.
 */
public final class CacheRegions {
  /** A user's details and the tenant's user lists ({@code users} feature). */
  public static final String USERS = "users";

  /** Each user's access: roles, permissions, status and tenant standing (authentication). */
  public static final String ACCESS = "access";

  /** A tenant's role list ({@code roles} feature). */
  public static final String ROLES = "roles";

  /** Each user's language and format preferences. */
  public static final String PREFERENCES = "preferences";

  /** Reference data shared by every tenant: countries, currencies, time zones per locale. */
  public static final String REFERENCE = "reference";

  /** Tenant analytics computed in PostgreSQL. */
  public static final String ANALYTICS = "analytics";

  /** Every region, in the order the dashboard lists them before they were used. */
  public static final List<String> ALL = List.of(USERS, ACCESS, ROLES, PREFERENCES, REFERENCE, ANALYTICS);

  private CacheRegions() {}
}
