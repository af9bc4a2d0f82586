package io.tierstate.bench;

/** The checks of adapters and scenarios, with one phrasing. */
final class Checks {
  private Checks() {}

  static void require(boolean served, String key, String tier) {
    if (!served) {
      throw new IllegalStateException(
          "key '" + key + "' was populated but not read back from " + tier
              + "; the benchmark would measure misses");
    }
  }

  /**
   * Fails the run with {@code message} unless {@code ok}: a scenario measured something wrong.
   *
   * @throws IllegalStateException if not {@code ok}
   */
  static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }
}
