package io.tierstate.postgres;

import io.tierstate.keys.CacheKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a change of one table invalidates: the keys and tags derived from the row, and the glob
 * patterns that cover every entry derived from the table (used when the stream itself was lost and
 * each change cannot be known: a dropped slot, a {@code TRUNCATE}). Build it with {@link
 * ChangeStream.Builder#table}:
 *
 * <pre>{@code
 * builder.table("users")
 *     .keys(row -> List.of("tenant:" + row.require("tenant_id") + ":user:" + row.require("id")))
 *     .tags(row -> List.of("tenant:" + row.require("tenant_id") + ":users"))
 *     .resyncPatterns("tenant:*:user:*");
 * }</pre>
 *
 * Not thread-safe while being built; read-only once the stream started.
 */
public final class TableMapping {
  private final ChangeStream.Builder owner;
  private final String table;
  private Function<Row, ? extends Collection<String>> keys = row -> List.of();
  private Function<Row, ? extends Collection<String>> tags = row -> List.of();
  private Function<Row, ? extends Collection<String>> patterns = row -> List.of();
  private final List<Consumer<Row>> actions = new ArrayList<>();
  private final List<String> resyncPatterns = new ArrayList<>();

  TableMapping(ChangeStream.Builder owner, String table) {
    this.owner = owner;
    this.table = table;
  }

  /** The cache keys a changed row invalidates. */
  public TableMapping keys(Function<Row, ? extends Collection<String>> keys) {
    this.keys = Objects.requireNonNull(keys, "keys");
    return this;
  }

  /** The tags a changed row invalidates. */
  public TableMapping tags(Function<Row, ? extends Collection<String>> tags) {
    this.tags = Objects.requireNonNull(tags, "tags");
    return this;
  }

  /**
   * Glob patterns a changed row invalidates, for rows whose keys cannot be named (a built-in role
   * used by every tenant). Each is a SCAN of Redis: keep them for rare changes.
   */
  public TableMapping patterns(Function<Row, ? extends Collection<String>> patterns) {
    this.patterns = Objects.requireNonNull(patterns, "patterns");
    return this;
  }

  /**
   * Something to do for each changed row (ending a suspended user's sessions, say), on the node
   * that reads the stream, after the transaction's invalidations are in Redis and before its
   * position is confirmed: at least once, more after a crash. A failure is logged, not retried.
   */
  public TableMapping afterInvalidation(Consumer<Row> action) {
    actions.add(Objects.requireNonNull(action, "action"));
    return this;
  }

  /**
   * Glob patterns covering every cache entry derived from this table, invalidated on a resync.
   *
   * @throws IllegalArgumentException if a pattern is invalid
   */
  public TableMapping resyncPatterns(String... patterns) {
    for (String pattern : patterns) {
      CacheKeys.requireValidPattern(pattern);
      resyncPatterns.add(pattern);
    }
    return this;
  }

  /** Maps another table of the same stream: ends this one. */
  public TableMapping table(String name) {
    return owner.table(name);
  }

  /** Ends the mappings: back to the stream's builder. */
  public ChangeStream.Builder and() {
    return owner;
  }

  String name() {
    return table;
  }

  Collection<String> keysOf(Row row) {
    return keys.apply(row);
  }

  Collection<String> tagsOf(Row row) {
    return tags.apply(row);
  }

  Collection<String> patternsOf(Row row) {
    return patterns.apply(row);
  }

  List<Consumer<Row>> actions() {
    return actions;
  }

  List<String> resyncPatterns() {
    return List.copyOf(resyncPatterns);
  }
}
