package io.tierstate.bench;

/** The checks adapters make after populating, with one phrasing. */
final class Checks {
  private Checks() {}

  static void require(boolean served, String key, String tier) {
    if (!served) {
      throw new IllegalStateException(
          "key '" + key + "' was populated but not read back from " + tier
              + "; the benchmark would measure misses");
    }
  }
}
