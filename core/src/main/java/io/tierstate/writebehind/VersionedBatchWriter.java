package io.tierstate.writebehind;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@link BatchWriter#versioned}: hands the versions on. */
final class VersionedBatchWriter<T> implements BatchWriter<T> {
  private final BatchWriter.Versioned<T> writer;

  VersionedBatchWriter(BatchWriter.Versioned<T> writer) {
    this.writer = Objects.requireNonNull(writer, "writer");
  }

  @Override
  public void writeEntries(List<WriteBehindEntry<T>> entries) throws Exception {
    writer.write(entries);
  }

  /** Not called by the write-behind: it always hands the versions. */
  @Override
  public void write(Map<String, T> latestByKey) {
    throw new UnsupportedOperationException(
        "a versioned batch writer takes entries with their versions: call writeEntries");
  }
}
