package io.tierstate.bench.faults;

/**
 * A write-behind value of the suite: the version the load generator gave it (increasing per key).
 * Public so that the cache's JSON codec reads and writes it without opening access. Immutable.
 *
 * @param version the write's version
 */
public record Event(long version) {}
