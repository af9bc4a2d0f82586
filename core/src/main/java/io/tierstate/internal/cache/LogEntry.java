package io.tierstate.internal.cache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the invalidation log: what a node tells the others after a write, an invalidation or
 * the end of a load. Nodes of different versions read each other's entries during a rolling
 * upgrade, so the wire format is versioned and documented field by field in {@code
 * docs/protocol.md}; a node that does not understand an entry (a newer version, an unknown kind)
 * must clear its L1 rather than skip it ({@link #decode} returns null).
 *
 * @param version the format version the entry was written in
 * @param kind what happened
 * @param origin the node that appended it
 * @param keys the cache keys concerned: the keys written or deleted ({@link Kind#KEYS}), or the one
 *     key filled or released; empty for a pattern, and for tags invalidated without members
 * @param tags the tags invalidated ({@link Kind#KEYS} only)
 * @param pattern the glob pattern invalidated ({@link Kind#PATTERN} only), else empty
 */
record LogEntry(
    int version, Kind kind, String origin, List<String> keys, List<String> tags, String pattern) {

  /**
   * The format this node writes, and the newest it reads. Entries without a version are version 1.
   */
  static final int VERSION = 1;

  /** The field names on the wire (a Redis Stream entry's fields). */
  static final String VERSION_FIELD = "v";

  static final String KIND_FIELD = "t";
  static final String ORIGIN_FIELD = "o";
  static final String DATA_FIELD = "d";
  static final String TAGS_FIELD = "g";

  /** What an entry reports, and its code on the wire. */
  enum Kind {
    /** Keys were written or deleted; with no keys and some tags, the tags were invalidated. */
    KEYS("k"),
    /** A load filled a key (or tried to): wakes its waiters; other nodes drop their L1 entry. */
    FILL("f"),
    /** A load gave its lease up without filling: wakes the key's waiters. */
    RELEASE("r"),
    /** Every key matching a glob pattern was invalidated. */
    PATTERN("p");

    final String code;

    Kind(String code) {
      this.code = code;
    }

    static @Nullable Kind ofCode(String code) {
      for (Kind kind : values()) {
        if (kind.code.equals(code)) {
          return kind;
        }
      }
      return null;
    }
  }

  LogEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(origin, "origin");
    keys = List.copyOf(keys);
    tags = List.copyOf(tags);
    Objects.requireNonNull(pattern, "pattern");
  }

  static LogEntry keys(String origin, List<String> keys, List<String> tags) {
    return new LogEntry(VERSION, Kind.KEYS, origin, keys, tags, "");
  }

  static LogEntry fill(String origin, String key) {
    return new LogEntry(VERSION, Kind.FILL, origin, List.of(key), List.of(), "");
  }

  static LogEntry release(String origin, String key) {
    return new LogEntry(VERSION, Kind.RELEASE, origin, List.of(key), List.of(), "");
  }

  static LogEntry pattern(String origin, String pattern) {
    return new LogEntry(VERSION, Kind.PATTERN, origin, List.of(), List.of(), pattern);
  }

  /**
   * Whether this entry invalidates tags whose members are unknown: a KEYS entry with tags and no
   * keys.
   */
  boolean tagsOnly() {
    return kind == Kind.KEYS && keys.isEmpty() && !tags.isEmpty();
  }

  /**
   * The stream entry's fields. Keys and tags are joined with single spaces: neither may contain
   * whitespace ({@link io.tierstate.keys.CacheKeys} refuses it), so the join is unambiguous.
   */
  Map<String, byte[]> fields() {
    Map<String, byte[]> fields = new HashMap<>(8);
    fields.put(VERSION_FIELD, bytes(Integer.toString(version)));
    fields.put(KIND_FIELD, bytes(kind.code));
    fields.put(ORIGIN_FIELD, bytes(origin));
    fields.put(DATA_FIELD, bytes(kind == Kind.PATTERN ? pattern : String.join(" ", keys)));
    fields.put(TAGS_FIELD, bytes(String.join(" ", tags)));
    return fields;
  }

  /**
   * Reads a stream entry's fields, in this version or an older one; null when this node does not
   * understand it (a newer version, an unknown kind, a malformed version), which must clear L1.
   */
  static @Nullable LogEntry decode(Map<String, byte[]> fields) {
    byte[] versionField = fields.get(VERSION_FIELD);
    int version;
    try {
      version = versionField == null ? 1 : Integer.parseInt(text(versionField));
    } catch (NumberFormatException e) {
      return null;
    }
    Kind kind = Kind.ofCode(text(fields.get(KIND_FIELD)));
    if (version < 1 || version > VERSION || kind == null) {
      return null;
    }
    String data = text(fields.get(DATA_FIELD));
    String origin = text(fields.get(ORIGIN_FIELD));
    List<String> tags = split(text(fields.get(TAGS_FIELD)));
    return switch (kind) {
      case PATTERN -> new LogEntry(version, kind, origin, List.of(), List.of(), data);
      case KEYS -> new LogEntry(version, kind, origin, split(data), tags, "");
      case FILL, RELEASE -> new LogEntry(version, kind, origin, split(data), List.of(), "");
    };
  }

  private static String text(byte @Nullable [] value) {
    return value == null ? "" : new String(value, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> split(String joined) {
    List<String> parts = new ArrayList<>();
    int from = 0;
    while (from < joined.length()) {
      int space = joined.indexOf(' ', from);
      int to = space < 0 ? joined.length() : space;
      if (to > from) {
        parts.add(joined.substring(from, to));
      }
      from = to + 1;
    }
    return parts;
  }
}
