package io.tierstate.writebehind;

import java.util.Map;

/**
 * Writes a batch of values to the source of truth (a database, another service). A {@link
 * WriteBehind} calls it from its background thread with the latest value of each key in a batch;
 * when it throws, the same batch is offered again after a backoff, then dead-lettered.
 *
 * <p>Delivery is at least once: implement it idempotently (an upsert per key). Implementations are
 * called from one thread per write-behind and node at a time, but from several nodes at once.
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
}
