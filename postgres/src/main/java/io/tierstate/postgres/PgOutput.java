package io.tierstate.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A decoder of the {@code pgoutput} logical replication protocol, version 1 (PostgreSQL 10+): it
 * remembers relations and turns each message into a call on a {@link Handler}. Only what
 * invalidation needs is decoded: begin, commit, relation, insert, update, delete, truncate; other
 * messages (origin, type, logical messages) are skipped. Not thread-safe: one per stream.
 */
final class PgOutput {

  /** What a decoded message means. */
  interface Handler {
    void begin(long finalLsn, long commitMicros);

    /** A row changed; {@code old} is null for inserts, or when the old row was not sent. */
    void change(
        String table,
        Row.ChangeKind kind,
        Map<String, @Nullable String> row,
        @Nullable Map<String, @Nullable String> old);

    void truncate(List<String> tables);

    void commit(long endLsn, long commitMicros);
  }

  private record Relation(String table, List<String> columns) {}

  private final Map<Integer, Relation> relations = new HashMap<>();

  /** Decodes one message. */
  void decode(ByteBuffer buffer, Handler handler) {
    byte type = buffer.get();
    switch (type) {
      case 'B' -> {
        long finalLsn = buffer.getLong();
        long commitMicros = buffer.getLong();
        buffer.getInt(); // xid
        handler.begin(finalLsn, commitMicros);
      }
      case 'C' -> {
        buffer.get(); // flags
        buffer.getLong(); // commit LSN
        long endLsn = buffer.getLong();
        long commitMicros = buffer.getLong();
        handler.commit(endLsn, commitMicros);
      }
      case 'R' -> {
        int id = buffer.getInt();
        cString(buffer); // schema
        String table = cString(buffer);
        buffer.get(); // replica identity setting
        int count = buffer.getShort();
        List<String> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          buffer.get(); // flags
          columns.add(cString(buffer));
          buffer.getInt(); // type oid
          buffer.getInt(); // type modifier
        }
        relations.put(id, new Relation(table, columns));
      }
      case 'I' -> {
        Relation relation = relation(buffer.getInt());
        buffer.get(); // 'N'
        handler.change(relation.table(), Row.ChangeKind.INSERT, tuple(buffer, relation), null);
      }
      case 'U' -> {
        Relation relation = relation(buffer.getInt());
        byte next = buffer.get();
        Map<String, @Nullable String> old = null;
        if (next == 'K' || next == 'O') {
          old = tuple(buffer, relation);
          next = buffer.get();
        }
        if (next != 'N') {
          throw new IllegalStateException("pgoutput update without a new tuple: " + (char) next);
        }
        handler.change(relation.table(), Row.ChangeKind.UPDATE, tuple(buffer, relation), old);
      }
      case 'D' -> {
        Relation relation = relation(buffer.getInt());
        buffer.get(); // 'K' or 'O'
        Map<String, @Nullable String> old = tuple(buffer, relation);
        handler.change(relation.table(), Row.ChangeKind.DELETE, old, old);
      }
      case 'T' -> {
        int count = buffer.getInt();
        buffer.get(); // options
        List<String> tables = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          tables.add(relation(buffer.getInt()).table());
        }
        handler.truncate(tables);
      }
      default -> {
        // 'O' origin, 'Y' type, 'M' logical message: nothing to invalidate.
      }
    }
  }

  private Relation relation(int id) {
    Relation relation = relations.get(id);
    if (relation == null) {
      // pgoutput sends a relation before its first change in every session: a bug if not.
      throw new IllegalStateException("pgoutput change of unknown relation " + id);
    }
    return relation;
  }

  private static Map<String, @Nullable String> tuple(ByteBuffer buffer, Relation relation) {
    int count = buffer.getShort();
    Map<String, @Nullable String> values = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String column = i < relation.columns().size() ? relation.columns().get(i) : "#" + i;
      byte kind = buffer.get();
      switch (kind) {
        case 'n' -> values.put(column, null);
        case 'u' -> {
          // An unchanged TOASTed value: not sent, so unknown here (Row falls back).
        }
        case 't', 'b' -> {
          int length = buffer.getInt();
          byte[] bytes = new byte[length];
          buffer.get(bytes);
          values.put(column, new String(bytes, UTF_8));
        }
        default -> throw new IllegalStateException("pgoutput column kind " + (char) kind);
      }
    }
    return values;
  }

  private static String cString(ByteBuffer buffer) {
    int start = buffer.position();
    while (buffer.get() != 0) {
      // find the terminator
    }
    int end = buffer.position() - 1;
    byte[] bytes = new byte[end - start];
    buffer.get(start, bytes);
    return new String(bytes, UTF_8);
  }
}
