package io.tierstate.lock;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a lock is held once acquired: for one lease ({@link #defaults()}), or renewed in the
 * background until released ({@link #autoRenew}).
 *
 * <p>An auto-renewed lock is renewed every third of its lease, so two renewals can fail before the
 * lease ends. A renewal that finds the lock is no longer its own, or that cannot reach Redis before
 * the lease ends, marks the handle lost and calls the listener: a lost lock is never silent.
 *
 * <p>Immutable and thread-safe.
 */
public final class LockOptions {
  private static final LockOptions DEFAULTS = new LockOptions(null);

  private final @Nullable LockLossListener onLost;

  private LockOptions(@Nullable LockLossListener onLost) {
    this.onLost = onLost;
  }

  /** Options for a lock held for one lease, without renewal. */
  public static LockOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Options for a lock renewed in the background until released; {@code onLost} is told if it is
   * lost before that.
   *
   * @throws NullPointerException if {@code onLost} is null
   */
  public static LockOptions autoRenew(LockLossListener onLost) {
    return new LockOptions(Objects.requireNonNull(onLost, "onLost"));
  }

  /** Whether the lock is renewed in the background. */
  public boolean renews() {
    return onLost != null;
  }

  /** The listener told when an auto-renewed lock is lost, or null without renewal. */
  public @Nullable LockLossListener lossListener() {
    return onLost;
  }

  @Override
  public String toString() {
    return renews() ? "LockOptions[autoRenew]" : "LockOptions[defaults]";
  }
}
