package io.tierstate.internal.lock;

import io.tierstate.RedisUnavailableException;
import io.tierstate.lock.LockHandle;
import io.tierstate.lock.LockLossListener;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A held lock. Its local lease end is measured from the moment the acquire (or the last successful
 * renewal) was sent, so it never ends later here than in Redis.
 */
final class RedisLockHandle implements LockHandle {
  private static final Logger log = LoggerFactory.getLogger(RedisLockHandle.class);

  private enum State {
    HELD,
    RELEASED,
    LOST
  }

  private final RedisLockService service;
  private final String name;
  private final String token;
  private final long fencingToken;
  private final long leaseNanos;
  private final @Nullable LockLossListener lossListener;
  private final AtomicReference<State> state = new AtomicReference<>(State.HELD);
  private volatile long leaseEndNanos;
  private volatile @Nullable ScheduledExecutorService renewals;
  private volatile @Nullable ScheduledFuture<?> nextRenewal;

  RedisLockHandle(
      RedisLockService service,
      String name,
      String token,
      long fencingToken,
      long leaseNanos,
      long sentNanos,
      @Nullable LockLossListener lossListener) {
    this.service = service;
    this.name = name;
    this.token = token;
    this.fencingToken = fencingToken;
    this.leaseNanos = leaseNanos;
    this.lossListener = lossListener;
    this.leaseEndNanos = sentNanos + leaseNanos;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long fencingToken() {
    return fencingToken;
  }

  @Override
  public boolean isHeld() {
    return state.get() == State.HELD && System.nanoTime() - leaseEndNanos < 0;
  }

  @Override
  public boolean release() {
    if (!state.compareAndSet(State.HELD, State.RELEASED)) {
      return false;
    }
    ScheduledFuture<?> renewal = nextRenewal;
    if (renewal != null) {
      renewal.cancel(false);
    }
    boolean released = service.release(name, token);
    if (!released) {
      // The lease ran out before the release: whatever the holder did since was unprotected.
      service.recordLoss("expired");
      log.warn(
          "lock '{}' (fencing token {}) had expired before it was released", name, fencingToken);
    }
    return released;
  }

  @Override
  public void close() {
    try {
      release();
    } catch (RedisUnavailableException e) {
      log.warn("could not release lock '{}'; it ends with its lease: {}", name, e.getMessage());
    }
  }

  void startRenewal(ScheduledExecutorService executor) {
    this.renewals = executor;
    schedule(renewPeriodNanos());
  }

  private long renewPeriodNanos() {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(1), leaseNanos / 3);
  }

  private void schedule(long delayNanos) {
    ScheduledExecutorService executor = renewals;
    if (executor == null || state.get() != State.HELD) {
      return;
    }
    try {
      nextRenewal = executor.schedule(this::renew, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The node is closing: the lock ends with its lease, as after a crash.
      log.debug("not renewing lock '{}': the lock service is closed", name);
    }
  }

  private void renew() {
    if (state.get() != State.HELD) {
      return;
    }
    long sent = System.nanoTime();
    try {
      if (service.renew(name, token, leaseNanos)) {
        leaseEndNanos = sent + leaseNanos;
        schedule(renewPeriodNanos());
      } else {
        lost(LockLossListener.Cause.NOT_OWNER);
      }
    } catch (RedisUnavailableException e) {
      long left = leaseEndNanos - System.nanoTime();
      if (left <= 0) {
        lost(LockLossListener.Cause.REDIS_UNAVAILABLE);
      } else {
        log.debug(
            "renewal of lock '{}' failed, retrying within the lease: {}", name, e.getMessage());
        // Try again before the lease ends, and once more right at its end to declare the loss.
        schedule(Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(renewPeriodNanos(), left)));
      }
    } catch (RuntimeException e) {
      log.error("renewal of lock '{}' failed unexpectedly", name, e);
      lost(LockLossListener.Cause.REDIS_UNAVAILABLE);
    }
  }

  private void lost(LockLossListener.Cause cause) {
    if (!state.compareAndSet(State.HELD, State.LOST)) {
      return;
    }
    service.recordLoss(cause.name().toLowerCase(java.util.Locale.ROOT));
    log.warn("lock '{}' (fencing token {}) was lost: {}", name, fencingToken, cause);
    LockLossListener listener = lossListener;
    if (listener != null) {
      try {
        listener.lockLost(this, cause);
      } catch (RuntimeException e) {
        log.error("lock loss listener for '{}' threw", name, e);
      }
    }
  }

  @Override
  public String toString() {
    return "LockHandle[" + name + ", fencingToken=" + fencingToken + ", " + state.get() + "]";
  }
}
