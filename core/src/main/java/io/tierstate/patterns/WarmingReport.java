package io.tierstate.patterns;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link CacheWarmer#warmAll()} did, one run per strategy in the order they ran.
 *
 * <p>Immutable and thread-safe.
 *
 * @param runs the runs, highest priority first
 */
public record WarmingReport(List<Run> runs) {

  /** Copies the runs. */
  public WarmingReport {
    runs = List.copyOf(runs);
  }

  /** How many entries all runs wrote. */
  public long entries() {
    return runs.stream().mapToLong(Run::entries).sum();
  }

  /** Whether every run succeeded. */
  public boolean succeeded() {
    return runs.stream().allMatch(Run::succeeded);
  }

  /**
   * One strategy's run.
   *
   * <p>Immutable and thread-safe.
   *
   * @param strategy the strategy's name
   * @param entries how many entries it wrote
   * @param duration how long it took
   * @param error why it failed, or null when it succeeded
   */
  public record Run(String strategy, int entries, Duration duration, @Nullable Throwable error) {

    /** Whether the run succeeded. */
    public boolean succeeded() {
      return error == null;
    }

    /** Why it failed, if it did. */
    public Optional<Throwable> failure() {
      return Optional.ofNullable(error);
    }
  }
}
