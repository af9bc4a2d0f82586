package io.tierstate.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.JacksonCodec;
import io.tierstate.codec.TypeRef;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a value becomes in each tier, and how unreadable L2 entries turn into misses. */
class EntryCodecUnitTests {
  private static final TypeRef<String> STRING = TypeRef.of(String.class);
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));

  private final CacheMeters meters = new CacheMeters(new SimpleMeterRegistry());
  private final JacksonCodec codec = JacksonCodec.create();
  private final EntryCodec entries =
      new EntryCodec(
          TierstateConfig.builder().maxValueBytes(1_024).build(),
          codec,
          meters,
          new Regions(meters.registry, 4));

  @Test
  void aValueComesBackFromItsL2BytesWithItsDeadlines() {
    CacheOptions options =
        MINUTE.staleWhileRevalidate(Duration.ofSeconds(30)).staleIfError(Duration.ofMinutes(5));
    long before = System.currentTimeMillis();

    EntryCodec.Prepared prepared = entries.prepare("k", "hello", options, STRING);
    Envelope envelope = entries.decodeEnvelope("k", prepared.bytes());
    EntryCodec.Decoded<String> decoded = entries.decodeValue("k", envelope, STRING, null);

    assertThat(prepared.redisTtlMillis())
        .as("Redis keeps it for the longest window")
        .isEqualTo(60_000 + 300_000);
    assertThat(envelope.freshUntilMillis() - before).isBetween(59_000L, 61_000L);
    assertThat(decoded.value()).isEqualTo("hello");
    assertThat(decoded.entry().isFresh(System.nanoTime())).isTrue();
    assertThat(prepared.entry().value).isEqualTo("hello");
    assertThat(prepared.entry().lastUseNanos() - prepared.entry().freshUntilNanos)
        .isEqualTo(Duration.ofMinutes(5).toNanos());
  }

  @Test
  void aCachedAbsenceComesBackAsAnAbsentEntry() {
    EntryCodec.Prepared prepared =
        entries.prepare("k", null, MINUTE.cacheAbsent(Duration.ofSeconds(30)), STRING);
    Envelope envelope = entries.decodeEnvelope("k", prepared.bytes());

    assertThat(envelope.absent()).isTrue();
    EntryCodec.Decoded<String> decoded = entries.decodeValue("k", envelope, STRING, null);
    assertThat(decoded).isNotNull();
    assertThat(decoded.value()).isNull();
    assertThat(decoded.entry().absent()).isTrue();
  }

  @Test
  void aValueAboveMaxValueBytesIsRefusedWhenSetAndServedUncachedWhenLoaded() {
    // Random letters, so that compression cannot bring it under the limit.
    Random random = new Random(7);
    String large =
        random
            .ints(4_000, 'a', 'z' + 1)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();

    assertThatThrownBy(() -> entries.prepare("k", large, MINUTE, STRING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'k'")
        .hasMessageContaining("maxValueBytes");
    assertThat(entries.prepareLoaded("k", large, MINUTE, STRING, System.currentTimeMillis()))
        .isNull();
    assertThat(meters.codecErrors.count()).isEqualTo(1);
  }

  @Test
  void corruptBytesReadAsAMiss() {
    assertThat(entries.decodeEnvelope("k", new byte[] {1, 2, 3})).isNull();
    assertThat(meters.corruptEntries.count()).isEqualTo(1);
  }

  @Test
  void anEntryWrittenWithAnotherCodecReadsAsAMiss() {
    long now = System.currentTimeMillis();
    Envelope other =
        new Envelope(
            false,
            (byte) (codec.id() + 1),
            now,
            now + 60_000,
            now + 60_000,
            now + 60_000,
            codec.encode("hello"));

    assertThat(entries.decodeValue("k", other, STRING, null)).isNull();
    assertThat(meters.codecErrors.count()).isEqualTo(1);
  }

  @Test
  void anEntryThatIsNotOfTheTypeAskedReadsAsAMiss() {
    Envelope envelope =
        entries.decodeEnvelope("k", entries.prepare("k", "not a list", MINUTE, STRING).bytes());

    assertThat(entries.decodeValue("k", envelope, new TypeRef<List<Integer>>() {}, null)).isNull();
    assertThat(meters.codecErrors.count()).isEqualTo(1);
  }
}
