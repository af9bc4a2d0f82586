package io.tierstate.keys;

import org.jspecify.annotations.Nullable;

/**
 * The keys of one user of one tenant, all of which start with {@link #prefix()} ({@code
 * "tenant:42:user:u1:"}). Obtained from {@link TenantKeys#user(Object)}.
 *
 * <p>Instances are immutable and thread-safe; two are equal when they are for the same user of the
 * same tenant.
 */
public final class UserKeys {
  private final String prefix;

  UserKeys(String prefix) {
    this.prefix = CacheKeys.requireBuiltKeyLength(prefix);
  }

  /**
   * The key of one field of this user: {@code tenant(42).user("u1").field("permissions")} is {@code
   * "tenant:42:user:u1:permissions"}.
   *
   * @throws IllegalArgumentException if {@code name} is null, empty, contains {@code ':'} or a
   *     character that is not valid in a key, or if the key would be longer than {@link
   *     CacheKeys#MAX_KEY_LENGTH}
   */
  public String field(String name) {
    return CacheKeys.requireBuiltKeyLength(prefix + CacheKeys.requireSegment("field name", name));
  }

  /** {@code "tenant:42:user:u1:"}: the start of every field key of this user. */
  public String prefix() {
    return prefix;
  }

  /**
   * {@code "tenant:42:user:u1:*"}: the invalidation pattern that matches every field of this user.
   */
  public String pattern() {
    return prefix + "*";
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof UserKeys keys && keys.prefix.equals(prefix);
  }

  @Override
  public int hashCode() {
    return prefix.hashCode();
  }

  @Override
  public String toString() {
    return "UserKeys[" + prefix + "]";
  }
}
