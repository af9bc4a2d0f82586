package io.tierstate.internal.cache;

import io.tierstate.cache.KeyInspection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Builds a {@link KeyInspection} from what L1 and Redis hold for a key. */
final class KeyInspections {
  private KeyInspections() {}

  static KeyInspection of(
      String key,
      @Nullable L1Entry l1Entry,
      byte @Nullable [] stored,
      long pttlMillis,
      long fence,
      @Nullable String l2Region,
      int maxPayloadBytes) {
    boolean inL1 = l1Entry != null;
    List<String> tags = l1Entry == null ? List.of() : List.of(l1Entry.tags);
    // L1's entry knows its region; Redis's answer counts only for an entry Redis still holds.
    Optional<String> region =
        l1Entry != null
            ? Optional.ofNullable(l1Entry.region == null ? null : l1Entry.region.name)
            : stored == null ? Optional.empty() : Optional.ofNullable(l2Region);
    if (stored == null) {
      return new KeyInspection(
          key,
          inL1,
          false,
          Optional.empty(),
          0,
          false,
          l1Entry != null && l1Entry.absent(),
          false,
          Optional.empty(),
          Optional.empty(),
          fence,
          tags,
          region);
    }
    Optional<Duration> ttl =
        pttlMillis >= 0 ? Optional.of(Duration.ofMillis(pttlMillis)) : Optional.empty();
    try {
      Envelope envelope = Envelope.decode(stored, maxPayloadBytes);
      return new KeyInspection(
          key,
          inL1,
          true,
          ttl,
          stored.length,
          Envelope.compressed(stored),
          envelope.absent(),
          false,
          Optional.of(Instant.ofEpochMilli(envelope.createdAtMillis())),
          Optional.of(Instant.ofEpochMilli(envelope.freshUntilMillis())),
          fence,
          tags,
          region);
    } catch (CorruptEntryException e) {
      return new KeyInspection(
          key,
          inL1,
          true,
          ttl,
          stored.length,
          false,
          false,
          true,
          Optional.empty(),
          Optional.empty(),
          fence,
          tags,
          region);
    }
  }
}
