package io.tierstate.audit;

/**
 * Re-reads the source of truth for one cached entry and says whether the cached value still matches
 * it, for the {@link ConsistencyAuditor}. Compare what a change would change: a version column, an
 * updated-at time, or the fields the cached value is made of.
 *
 * <pre>{@code
 * ts.audit().verify("user:*", User.class,
 *     (key, cached) -> cached.version() == db.userVersion(idOf(key)));
 * }</pre>
 *
 * <p>A verifier runs on the auditor's threads, at most {@link AuditOptions#samplesPerSecond()}
 * times a second per node, and is abandoned after {@link AuditOptions#verifierTimeout()}. It must
 * be thread-safe and must not write.
 *
 * @param <T> the type the family's values are cached as
 */
@FunctionalInterface
public interface Verifier<T> {

  /**
   * Whether {@code cached}, the value cached under {@code key}, still matches the source of truth.
   * A row that no longer exists does not match a cached value.
   *
   * @throws Exception if the source of truth cannot be read: the sample counts as an error, neither
   *     consistent nor inconsistent
   */
  boolean matches(String key, T cached) throws Exception;
}
