package io.tierstate.writebehind;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a batch of values to the source of truth (a database, another service). A {@link
 * WriteBehind} calls it from its background thread with the latest value of each key in a batch;
 * when it throws, the batch is offered again after a backoff (without the keys another node has
 * handed a newer version of meanwhile), then dead-lettered.
 *
 * <p>Delivery is at least once: implement it idempotently (an upsert per key). Implementations are
 * called from one thread per write-behind and node at a time, but from several nodes at once, so
 * two versions of one key can be in two calls at overlapping times; and a Redis failover can lose
 * the record of what was written. To be safe against an older value overwriting a newer one in
 * those cases, take the versions with {@link #versioned} and guard the upsert with them:
 *
 * <pre>{@code
 * ts.writeBehind("orders", Order.class, BatchWriter.versioned(entries -> {
 *   // INSERT ... ON CONFLICT (id) DO UPDATE SET ..., version = excluded.version
 *   //     WHERE orders.version < excluded.version
 * }), WriteBehindOptions.defaults());
 * }</pre>
 *
 * @param <T> the type of the values
 */
@FunctionalInterface
public interface BatchWriter<T> {
  /**
   * Writes every entry of the batch.
   *
   * @param latestByKey the latest value of each key in the batch, in the order first written; not
   *     modifiable and never empty
   * @throws Exception if the batch could not be written; it is retried, then dead-lettered
   */
  void write(Map<String, T> latestByKey) throws Exception;

  /**
   * Writes every entry of the batch, with versions; the {@link WriteBehind} calls this method. By
   * default it calls {@link #write(Map)} without the versions.
   *
   * @param entries the latest entry of each key in the batch, in the order first written; not
   *     modifiable, never empty, one per key
   * @throws Exception if the batch could not be written; it is retried, then dead-lettered
   */
  default void writeEntries(List<WriteBehindEntry<T>> entries) throws Exception {
    Map<String, T> latestByKey = new LinkedHashMap<>();
    for (WriteBehindEntry<T> entry : entries) {
      latestByKey.put(entry.key(), entry.value());
    }
    write(Collections.unmodifiableMap(latestByKey));
  }

  /**
   * A batch writer that gets each entry's version, to refuse an older one in its upsert.
   *
   * @throws NullPointerException if {@code writer} is null
   */
  static <T> BatchWriter<T> versioned(Versioned<T> writer) {
    return new VersionedBatchWriter<>(writer);
  }

  /**
   * Writes a batch with versions; adapt it with {@link BatchWriter#versioned}.
   *
   * @param <T> the type of the values
   */
  @FunctionalInterface
  interface Versioned<T> {
    /**
     * Writes every entry of the batch.
     *
     * @param entries the latest entry of each key in the batch, in the order first written; not
     *     modifiable, never empty, one per key
     * @throws Exception if the batch could not be written; it is retried, then dead-lettered
     */
    void write(List<WriteBehindEntry<T>> entries) throws Exception;
  }
}
