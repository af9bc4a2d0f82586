package io.tierstate.bench;

/** How long the scenarios run, and what they are for. */
public enum RunMode {
  /**
   * A few seconds per scenario, from the test command: only correctness is checked (every subject
   * returns the right value, one loader call per stampede...). The figures mean nothing.
   */
  QUICK,
  /** Long enough for figures worth comparing; writes {@code docs/benchmarks.md}. */
  FULL;

  /** {@code quick} in quick mode, {@code full} otherwise. */
  int pick(int quick, int full) {
    return this == QUICK ? quick : full;
  }
}
