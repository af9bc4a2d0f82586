package io.tierstate.audit;

import io.tierstate.metrics.AlertRule;
import java.util.function.Consumer;

/**
 * Measures, all the time and in production, whether what the cache serves matches the source of
 * truth, and repairs what does not. Obtain it with {@code Tierstate.audit()}; it is off until a
 * verifier is registered.
 *
 * <pre>{@code
 * ts.audit()
 *     .options(AuditOptions.defaults().samplesPerSecond(20))
 *     .verify("user:*", User.class, (key, cached) -> cached.version() == db.userVersion(idOf(key)));
 * ts.metrics().onAlert(ts.audit().alertRule(), pager::send);
 * }</pre>
 *
 * <p><b>What it samples.</b> Up to {@link AuditOptions#samplesPerSecond()} times a second (the cap
 * counts re-checks too), it takes one entry of a registered family, alternately from this node's L1
 * (a cursor over Caffeine's keys, read without recording an access) and from L2 (a SCAN cursor per
 * family over Redis), and asks the family's {@link Verifier} whether the cached value still matches
 * the source of truth. Each sample ends:
 *
 * <ul>
 *   <li><b>consistent</b>: it matched;
 *   <li><b>stale within the window</b>: it did not, but once the {@link
 *       AuditOptions#propagationWindow() propagation window} had passed it was gone, replaced, or
 *       matching (the invalidation was on its way);
 *   <li><b>inconsistent</b>: the same value still did not match after the window. It is logged with
 *       its key, counted, repaired (invalidated on every node with {@link
 *       io.tierstate.cache.Invalidator#invalidateDurably}), handed to {@link #onInconsistency}
 *       listeners, and turns the {@code consistency} health check degraded for {@link
 *       AuditOptions#alertHold()}, which fires {@link #alertRule()};
 *   <li><b>error</b>: the verifier threw or took longer than {@link
 *       AuditOptions#verifierTimeout()}; left out of the ratio.
 * </ul>
 *
 * <p><b>Meters</b> (registered with the first verifier): {@code tierstate.audit.samples{outcome,
 * tier}}, {@code tierstate.audit.consistency.ratio} and {@code tierstate.audit.consistency.nines}
 * over {@link AuditOptions#window()}, {@code tierstate.audit.pending}, {@code
 * tierstate.audit.sample.duration} (the cost of one sample: cache read and verifier) and {@code
 * tierstate.audit.repairs{result}}.
 *
 * <p>Thread-safe. One scheduler thread per node, verifiers on virtual threads.
 */
public interface ConsistencyAuditor extends AutoCloseable {
  /** The name of the health check the auditor registers. */
  String HEALTH_CHECK = "consistency";

  /**
   * Audits the keys matching {@code pattern} whose values are cached as {@code type}, with {@code
   * verifier}, and starts sampling if it had not. A key matching several patterns is audited by the
   * family registered first; entries of another type under the pattern are skipped.
   *
   * @param pattern a glob ({@code *} any run of characters, {@code ?} one), such as {@code user:*}
   * @return this auditor
   * @throws IllegalArgumentException if the pattern is invalid or already registered
   * @throws IllegalStateException if the auditor (its node) is closed
   */
  <T> ConsistencyAuditor verify(String pattern, Class<T> type, Verifier<? super T> verifier);

  /**
   * Replaces the options; the rate and window apply at once, the propagation window to samples
   * taken from now on.
   *
   * @return this auditor
   */
  ConsistencyAuditor options(AuditOptions options);

  /** The options in force. */
  AuditOptions options();

  /** Whether the auditor samples: at least one verifier is registered and the node is open. */
  boolean enabled();

  /**
   * Calls {@code listener} for every confirmed inconsistency, on the auditor's thread, after the
   * repair. Keep it quick.
   *
   * @return a handle whose {@code close()} removes the listener
   */
  AutoCloseable onInconsistency(Consumer<Inconsistency> listener);

  /**
   * A rule that fires while the {@code consistency} health check is degraded: an inconsistency was
   * confirmed within {@link AuditOptions#alertHold()}. Subscribe to it with {@code
   * TierstateMetrics.onAlert}.
   */
  AlertRule alertRule();

  /** What the auditor found so far, and the consistency in the window ending now. */
  AuditReport report();

  /** Stops sampling. Called by {@code Tierstate.close()}; closing again does nothing. */
  @Override
  void close();
}
