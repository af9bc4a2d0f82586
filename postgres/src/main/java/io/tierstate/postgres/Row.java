package io.tierstate.postgres;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One changed row as the change stream saw it: its columns in PostgreSQL's text form. For an
 * update or delete the mapping is called twice, once with the new row and once with the old one
 * ({@link #isOld()}), so that a row that moved (another tenant, say) invalidates both places. The
 * old row holds only the replica identity's columns (the primary key by default; every column with
 * {@code REPLICA IDENTITY FULL}); {@link #get} falls back to the new row's value for the others.
 */
public final class Row {
  private final String table;
  private final ChangeKind kind;
  private final Map<String, @Nullable String> columns;
  private final Map<String, @Nullable String> fallback;
  private final boolean old;

  Row(
      String table,
      ChangeKind kind,
      Map<String, @Nullable String> columns,
      Map<String, @Nullable String> fallback,
      boolean old) {
    this.table = table;
    this.kind = kind;
    this.columns = columns;
    this.fallback = fallback;
    this.old = old;
  }

  /** The kind of change. */
  public enum ChangeKind {
    INSERT,
    UPDATE,
    DELETE
  }

  /** The table's name (without schema). */
  public String table() {
    return table;
  }

  /** What happened to the row. */
  public ChangeKind kind() {
    return kind;
  }

  /** Whether this is the row before an update or delete. */
  public boolean isOld() {
    return old;
  }

  /**
   * A column's value in text form, or null if it is SQL NULL or unknown (not in the old row's
   * replica identity and not in the new row either).
   */
  public @Nullable String get(String column) {
    String value = columns.get(column);
    return value != null || columns.containsKey(column) ? value : fallback.get(column);
  }

  /**
   * A column's value, required.
   *
   * @throws IllegalStateException if it is null or unknown: the table's replica identity may not
   *     carry it (see {@code REPLICA IDENTITY FULL})
   */
  public String require(String column) {
    String value = get(column);
    if (value == null) {
      throw new IllegalStateException(
          "column " + column + " of " + table + " is null or not in the change stream");
    }
    return value;
  }

  /** A UUID column, empty if null or unknown. */
  public Optional<UUID> uuid(String column) {
    return Optional.ofNullable(get(column)).map(UUID::fromString);
  }

  @Override
  public String toString() {
    return (old ? "old " : "") + kind + " " + table + " " + columns;
  }
}
