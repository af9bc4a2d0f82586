package io.tierstate.writebehind;

import java.util.Objects;

/**
 * One key's latest write in a batch handed to a {@link BatchWriter}, with its version.
 *
 * <p>Versions are unique per write-behind and increase with the order in which Redis accepted the
 * writes, across every node and across a Redis failover (they are microseconds of the Redis
 * server's clock, made strictly increasing; see docs/write-behind.md). Store the version with the
 * value and make the upsert refuse an older one ({@code ... WHERE stored.version <
 * excluded.version}): that is what keeps an older value from overwriting a newer one in the cases
 * the write-behind cannot rule out on its own (two nodes writing the same key at overlapping times,
 * a Redis failover that lost the record of what was written).
 *
 * <p>Immutable.
 *
 * @param key the key
 * @param value its latest value in the batch
 * @param version the version of that write; greater for every later write of the key
 * @param <T> the type of the values
 */
public record WriteBehindEntry<T>(String key, T value, long version) {
  /**
   * An entry.
   *
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  public WriteBehindEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
