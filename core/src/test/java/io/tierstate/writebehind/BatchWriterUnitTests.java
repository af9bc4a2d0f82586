package io.tierstate.writebehind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two shapes of batch writer: values by key, and entries with versions. */
class BatchWriterUnitTests {
  private static final List<WriteBehindEntry<String>> BATCH =
      List.of(
          new WriteBehindEntry<>("order:2", "b", 20), new WriteBehindEntry<>("order:1", "a", 30));

  @Test
  void aWriterOfValuesByKeyGetsThemInBatchOrderWithoutVersions() throws Exception {
    List<Map<String, String>> calls = new ArrayList<>();
    BatchWriter<String> writer = batch -> calls.add(new LinkedHashMap<>(batch));
    writer.writeEntries(BATCH);
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0)).containsExactly(Map.entry("order:2", "b"), Map.entry("order:1", "a"));
  }

  @Test
  void aVersionedWriterGetsEveryEntryWithItsVersion() throws Exception {
    List<WriteBehindEntry<String>> got = new ArrayList<>();
    BatchWriter<String> writer = BatchWriter.versioned(got::addAll);
    writer.writeEntries(BATCH);
    assertThat(got).containsExactlyElementsOf(BATCH);
    assertThatThrownBy(() -> writer.write(Map.of("order:1", "a")))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("writeEntries");
  }

  @Test
  void entriesNeedAKeyAndAValue() {
    assertThatThrownBy(() -> new WriteBehindEntry<>(null, "a", 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> new WriteBehindEntry<String>("k", null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("value");
    assertThatThrownBy(() -> BatchWriter.versioned(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("writer");
  }
}
