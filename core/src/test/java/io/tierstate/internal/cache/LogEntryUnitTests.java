package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The invalidation log's wire format (docs/protocol.md), including entries from older nodes. */
class LogEntryUnitTests {

  private static Map<String, byte[]> fields(String... namesAndValues) {
    Map<String, byte[]> fields = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      fields.put(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return fields;
  }

  @Test
  void everyKindReadsBackAsWritten() {
    List<LogEntry> entries =
        List.of(
            LogEntry.keys("node-a", List.of("user:1", "user:2"), List.of()),
            LogEntry.keys("node-a", List.of("user:1"), List.of("users", "tenant:42")),
            LogEntry.keys("node-a", List.of(), List.of("users")),
            LogEntry.fill("node-b", "user:1"),
            LogEntry.release("node-b", "user:1"),
            LogEntry.pattern("node-c", "report:*"));

    for (LogEntry entry : entries) {
      assertThat(LogEntry.decode(entry.fields())).isEqualTo(entry);
    }
    assertThat(LogEntry.keys("n", List.of(), List.of("users")).tagsOnly()).isTrue();
    assertThat(LogEntry.keys("n", List.of("k"), List.of("users")).tagsOnly()).isFalse();
  }

  @Test
  void entriesWrittenBeforeTheVersionFieldReadAsVersionOne() {
    // Exactly what nodes wrote before the format was versioned: four fields, no "v".
    assertThat(LogEntry.decode(fields("o", "old-node", "t", "k", "d", "user:1 user:2", "g", "")))
        .isEqualTo(
            new LogEntry(
                1, LogEntry.Kind.KEYS, "old-node", List.of("user:1", "user:2"), List.of(), ""));
    assertThat(LogEntry.decode(fields("o", "old-node", "t", "k", "d", "", "g", "users tenant:42")))
        .isEqualTo(
            new LogEntry(
                1, LogEntry.Kind.KEYS, "old-node", List.of(), List.of("users", "tenant:42"), ""));
    assertThat(LogEntry.decode(fields("o", "old-node", "t", "f", "d", "user:1", "g", "")))
        .isEqualTo(LogEntry.fill("old-node", "user:1"));
    assertThat(LogEntry.decode(fields("o", "old-node", "t", "r", "d", "user:1", "g", "")))
        .isEqualTo(LogEntry.release("old-node", "user:1"));
    assertThat(LogEntry.decode(fields("o", "old-node", "t", "p", "d", "report:*", "g", "")))
        .isEqualTo(LogEntry.pattern("old-node", "report:*"));
  }

  @Test
  void whatTheCurrentFormatWritesIsWhatOlderNodesRead() {
    Map<String, byte[]> written = LogEntry.keys("node-a", List.of("a", "b"), List.of("t")).fields();

    assertThat(written.keySet()).containsExactlyInAnyOrder("v", "o", "t", "d", "g");
    assertThat(new String(written.get("t"), StandardCharsets.UTF_8)).isEqualTo("k");
    assertThat(new String(written.get("d"), StandardCharsets.UTF_8)).isEqualTo("a b");
    assertThat(new String(written.get("g"), StandardCharsets.UTF_8)).isEqualTo("t");
  }

  @Test
  void entriesThisNodeDoesNotUnderstandAreNotRead() {
    assertThat(LogEntry.decode(fields("v", "2", "o", "new-node", "t", "k", "d", "a", "g", "")))
        .isNull();
    assertThat(LogEntry.decode(fields("v", "x", "o", "new-node", "t", "k", "d", "a", "g", "")))
        .isNull();
    assertThat(LogEntry.decode(fields("v", "1", "o", "new-node", "t", "z", "d", "a", "g", "")))
        .isNull();
    assertThat(LogEntry.decode(fields("o", "new-node", "d", "a"))).isNull();
  }

  @Test
  void anEntryThisNodeDoesNotUnderstandClearsL1() {
    List<String> lost = new ArrayList<>();
    List<LogEntry> read = new ArrayList<>();
    InvalidationLog.Handler handler =
        new InvalidationLog.Handler() {
          @Override
          public void onEntry(LogEntry entry) {
            read.add(entry);
          }

          @Override
          public void onLost(String reason) {
            lost.add(reason);
          }

          @Override
          public void onFlowing(boolean flowing) {}
        };

    InvalidationLog.dispatch(
        fields("v", "2", "o", "new-node", "t", "k", "d", "a", "g", ""), handler);
    InvalidationLog.dispatch(fields("o", "old-node", "t", "k", "d", "a", "g", ""), handler);

    assertThat(lost).containsExactly(InvalidationLog.UNKNOWN_ENTRY);
    assertThat(read).extracting(LogEntry::keys).containsExactly(List.of("a"));
  }
}
