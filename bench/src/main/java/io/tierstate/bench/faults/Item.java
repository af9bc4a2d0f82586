package io.tierstate.bench.faults;

/**
 * A cached row of the suite's source of truth: its id and the version it was read at. Public so
 * that the cache's JSON codec reads and writes it without opening access. Immutable.
 *
 * @param id the row's id
 * @param version the row's version when it was read
 */
public record Item(int id, long version) {}
