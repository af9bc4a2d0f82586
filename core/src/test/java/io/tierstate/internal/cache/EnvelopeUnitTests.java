package io.tierstate.internal.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.codec.JacksonCodec;
import io.tierstate.codec.TypeRef;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class EnvelopeUnitTests {
  private static final int LIMIT = 1 << 20;

  // --- the format ---

  @Test
  void writesTheDocumentedV1Layout() {
    Envelope envelope = new Envelope(false, (byte) 1, 1000, 2000, 3000, 4000, bytes("hi"));
    byte[] encoded = envelope.encode(1024, false);

    ByteBuffer expected = ByteBuffer.allocate(46);
    expected.put((byte) 0x54).put((byte) 1).put((byte) 0).put((byte) 1);
    expected.putLong(1000).putLong(2000).putLong(3000).putLong(4000).putInt(2);
    CRC32C crc = new CRC32C();
    crc.update(expected.array(), 0, 40);
    expected.putInt((int) crc.getValue()).put(bytes("hi"));
    assertThat(encoded).isEqualTo(expected.array());
    assertThat(Envelope.HEADER_BYTES).isEqualTo(44);
  }

  @Test
  void absentEntriesHaveTheAbsentFlagAndNoPayload() {
    byte[] encoded = Envelope.absentEntry((byte) 1, 0, 10, 20, 30).encode(0, true);
    assertThat(encoded).hasSize(Envelope.HEADER_BYTES);
    assertThat(encoded[2]).isEqualTo((byte) Envelope.FLAG_ABSENT);
    Envelope decoded = Envelope.decode(encoded, LIMIT);
    assertThat(decoded.absent()).isTrue();
    assertThat(decoded.payloadLength()).isZero();
    assertThatThrownBy(() -> decoded.decodePayload(JacksonCodec.create(), TypeRef.of(String.class)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an ABSENT entry has no value to decode");
  }

  @Test
  void compressesAtTheThresholdOnlyWhenItHelps() {
    byte[] json = bytes("{\"k\":\"value\"},".repeat(100));
    Envelope envelope = new Envelope(false, (byte) 1, 0, 1, 1, 1, json);
    assertThat(envelope.encode(json.length, false)[2] & Envelope.FLAG_COMPRESSED).isOne();
    assertThat(envelope.encode(json.length + 1, false)[2] & Envelope.FLAG_COMPRESSED).isZero();
    assertThat(envelope.encode(json.length + 1, true)[2] & Envelope.FLAG_COMPRESSED).isOne();

    byte[] tiny = bytes("{}");
    byte[] forced = new Envelope(false, (byte) 1, 0, 1, 1, 1, tiny).encode(0, true);
    assertThat(forced[2] & Envelope.FLAG_COMPRESSED).as("compression would grow it").isZero();
    assertThat(forced).hasSize(Envelope.HEADER_BYTES + tiny.length);
  }

  @Test
  void decodesTheCodecPayloadInPlace() {
    JacksonCodec codec = JacksonCodec.create();
    Map<String, List<Integer>> value = Map.of("a", List.of(1, 2, 3));
    byte[] stored =
        new Envelope(false, codec.id(), 0, 10, 10, 10, codec.encode(value)).encode(1 << 10, false);
    Envelope decoded = Envelope.decode(stored, LIMIT);
    assertThat(decoded.decodePayload(codec, new TypeRef<Map<String, List<Integer>>>() {}))
        .isEqualTo(value);
  }

  @Test
  void deadlinesDecideFreshStaleAndOnError() {
    Envelope envelope = new Envelope(false, (byte) 1, 100, 200, 300, 400, bytes("x"));
    assertThat(envelope.isFresh(199)).isTrue();
    assertThat(envelope.isFresh(200)).isFalse();
    assertThat(envelope.isServableStale(200)).isTrue();
    assertThat(envelope.isServableStale(300)).isFalse();
    assertThat(envelope.isServableOnError(399)).isTrue();
    assertThat(envelope.isServableOnError(400)).isFalse();
  }

  @Test
  void rejectsInconsistentArguments() {
    assertThatThrownBy(() -> new Envelope(true, (byte) 1, 0, 1, 1, 1, bytes("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an ABSENT entry has no payload, but 1 bytes were given");
    assertThatThrownBy(() -> new Envelope(false, (byte) 1, 10, 5, 10, 10, bytes("x")))
        .hasMessage("freshUntilMillis (5) is before createdAtMillis (10)");
    assertThatThrownBy(() -> new Envelope(false, (byte) 1, 0, 10, 5, 10, bytes("x")))
        .hasMessage("staleUntilMillis (5) is before freshUntilMillis (10)");
    assertThatThrownBy(() -> new Envelope(false, (byte) 1, 0, 10, 10, 5, bytes("x")))
        .hasMessage("errorUntilMillis (5) is before freshUntilMillis (10)");
    Envelope ok = new Envelope(false, (byte) 1, 0, 1, 1, 1, bytes("x"));
    assertThatThrownBy(() -> ok.encode(-1, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("compressionThreshold must not be negative, was -1");
    assertThatThrownBy(() -> Envelope.decode(ok.encode(0, false), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- corrupt entries ---

  @Test
  void namesWhatIsWrongWithACorruptEntry() {
    byte[] good = new Envelope(false, (byte) 1, 0, 1, 1, 1, bytes("\"v\"")).encode(1024, false);
    assertCorrupt(new byte[0], "entry is empty");
    assertCorrupt(
        bytes("\"plain json\""), "not a Tierstate entry: first byte is 0x22, expected 0x54");
    byte[] v2 = good.clone();
    v2[1] = 2;
    assertCorrupt(
        v2, "entry has format version 2, but this version of Tierstate reads only version 1");
    assertCorrupt(
        Arrays.copyOf(good, 43), "entry is truncated: 43 bytes, less than its 44-byte header");
    byte[] damaged = good.clone();
    damaged[14] ^= 0x40; // freshUntilMillis: would keep the value fresh for years
    assertCorrupt(damaged, "entry header is damaged: its checksum does not match");
    assertCorrupt(
        Arrays.copyOf(good, good.length + 1),
        "entry declares a 3-byte payload but holds 4 bytes after its header");
    assertCorrupt(withHeader(good, 2, (byte) 0x04), "entry has unknown flags 0x04");
    assertCorrupt(withHeader(good, 2, (byte) 0x03), "entry is flagged both ABSENT and compressed");
    assertCorrupt(
        withHeader(good, 2, (byte) 0x02),
        "entry is invalid: an ABSENT entry has no payload, but 3 bytes were given");
  }

  @Test
  void rejectsAPayloadOverTheLimit() {
    byte[] stored = new Envelope(false, (byte) 1, 0, 1, 1, 1, new byte[100]).encode(1024, false);
    assertThat(Envelope.decode(stored, 100).payloadLength()).isEqualTo(100);
    assertCorrupt(stored, 99, "entry payload of 100 bytes exceeds the limit of 99");
  }

  @Test
  void rejectsACompressionBombWithoutInflatingIt() {
    byte[] bomb = new Envelope(false, (byte) 1, 0, 1, 1, 1, new byte[16 << 20]).encode(0, false);
    assertThat(bomb.length).isLessThan(4096);
    assertThatThrownBy(() -> Envelope.decode(bomb, LIMIT))
        .isInstanceOf(CorruptEntryException.class)
        .hasMessage(
            "entry payload cannot be decompressed: zstd frame declares 16777216 bytes, more than"
                + " the limit of 1048576; refusing to decompress it")
        .hasCauseInstanceOf(io.tierstate.codec.CodecException.class);
  }

  @Test
  void rejectsACompressedFlagOnAnUncompressedPayload() {
    byte[] good = new Envelope(false, (byte) 1, 0, 1, 1, 1, bytes("{\"a\":1}")).encode(1024, false);
    assertThatThrownBy(() -> Envelope.decode(withHeader(good, 2, (byte) 0x01), LIMIT))
        .isInstanceOf(CorruptEntryException.class)
        .hasMessageStartingWith("entry payload cannot be decompressed: ");
  }

  // --- properties ---

  @Property(tries = 500)
  void roundTrips(
      @ForAll("envelopes") Envelope envelope,
      @ForAll @IntRange(min = 0, max = 3000) int threshold,
      @ForAll boolean force) {
    byte[] encoded = envelope.encode(threshold, force);
    assertThat(encoded.length)
        .isLessThanOrEqualTo(Envelope.HEADER_BYTES + envelope.payloadLength());
    Envelope decoded = Envelope.decode(encoded, LIMIT);
    assertThat(decoded).isEqualTo(envelope);
    assertThat(decoded.payload()).isEqualTo(envelope.payload());
    assertThat(decoded.encode(threshold, force)).isEqualTo(encoded);
  }

  @Property(tries = 500)
  void anyTruncationIsRejected(
      @ForAll("envelopes") Envelope envelope, @ForAll boolean force, @ForAll int cut) {
    byte[] encoded = envelope.encode(64, force);
    byte[] truncated = Arrays.copyOf(encoded, Math.floorMod(cut, encoded.length));
    assertThatThrownBy(() -> Envelope.decode(truncated, LIMIT))
        .isInstanceOf(CorruptEntryException.class);
  }

  @Property(tries = 1000)
  void anyBitFlipInTheHeaderIsRejected(
      @ForAll("envelopes") Envelope envelope,
      @ForAll boolean force,
      @ForAll @IntRange(min = 0, max = Envelope.HEADER_BYTES * 8 - 1) int bit) {
    byte[] flipped = flip(envelope.encode(64, force), bit);
    assertThatThrownBy(() -> Envelope.decode(flipped, LIMIT))
        .isInstanceOf(CorruptEntryException.class);
  }

  @Property(tries = 1000)
  void aBitFlipAnywhereIsRejectedOrChangesOnlyAnUncompressedPayload(
      @ForAll("envelopes") Envelope envelope, @ForAll boolean force, @ForAll int bitSeed) {
    byte[] encoded = envelope.encode(64, force);
    boolean compressed = (encoded[2] & Envelope.FLAG_COMPRESSED) != 0;
    byte[] flipped = flip(encoded, Math.floorMod(bitSeed, encoded.length * 8));
    Envelope decoded;
    try {
      decoded = Envelope.decode(flipped, LIMIT);
    } catch (CorruptEntryException rejected) {
      return;
    }
    if (compressed) {
      // A few zstd frame bits change nothing that decodes (a reserved or window bit): the entry
      // may then be accepted, but only if it decodes to exactly what was written.
      assertThat(decoded.payload())
          .as("a damaged compressed entry decodes to the original or is rejected")
          .isEqualTo(envelope.payload());
    }
    assertThat(decoded.absent()).isEqualTo(envelope.absent());
    assertThat(decoded.codecId()).isEqualTo(envelope.codecId());
    assertThat(decoded.createdAtMillis()).isEqualTo(envelope.createdAtMillis());
    assertThat(decoded.freshUntilMillis()).isEqualTo(envelope.freshUntilMillis());
    assertThat(decoded.staleUntilMillis()).isEqualTo(envelope.staleUntilMillis());
    assertThat(decoded.errorUntilMillis()).isEqualTo(envelope.errorUntilMillis());
    assertThat(decoded.payloadLength()).isEqualTo(envelope.payloadLength());
  }

  @Property(tries = 2000)
  void arbitraryBytesDecodeOrFailWithCorruptEntryException(@ForAll("headerLike") byte[] bytes) {
    try {
      Envelope.decode(bytes, LIMIT);
    } catch (CorruptEntryException expected) {
      // the only failure allowed
    }
  }

  @Provide
  Arbitrary<Envelope> envelopes() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    Arbitrary<byte[]> compressible =
        Combinators.combine(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(8),
                Arbitraries.integers().between(1, 300))
            .as((unit, times) -> bytes(unit.repeat(times)));
    Arbitrary<byte[]> payloads = Arbitraries.oneOf(random, compressible);
    Arbitrary<Long> deltas = Arbitraries.longs().between(0, 1L << 40);
    return Combinators.combine(
            Arbitraries.integers().between(0, 9),
            Arbitraries.bytes(),
            Arbitraries.longs().between(-(1L << 40), 1L << 41),
            deltas,
            deltas,
            deltas,
            payloads)
        .as(
            (absentDie, codecId, created, fresh, stale, error, payload) -> {
              long freshUntil = created + fresh;
              return absentDie == 0
                  ? Envelope.absentEntry(
                      codecId, created, freshUntil, freshUntil + stale, freshUntil + error)
                  : new Envelope(
                      false,
                      codecId,
                      created,
                      freshUntil,
                      freshUntil + stale,
                      freshUntil + error,
                      payload);
            });
  }

  /** Mostly bytes that start like an entry, so decoding gets past the first checks. */
  @Provide
  Arbitrary<byte[]> headerLike() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
    return Arbitraries.oneOf(
        random,
        random.map(
            b -> {
              byte[] withMagic = Arrays.copyOf(b, Math.max(b.length, 2));
              withMagic[0] = Envelope.MAGIC;
              withMagic[1] = Envelope.FORMAT_VERSION;
              return withMagic;
            }),
        envelopes().map(e -> e.encode(0, true)).map(b -> flip(b, b.length * 4)));
  }

  private static void assertCorrupt(byte[] bytes, String message) {
    assertCorrupt(bytes, LIMIT, message);
  }

  private static void assertCorrupt(byte[] bytes, int limit, String message) {
    assertThatThrownBy(() -> Envelope.decode(bytes, limit))
        .isInstanceOf(CorruptEntryException.class)
        .hasMessage(message);
  }

  /** A copy with one header byte replaced and the header checksum recomputed to match. */
  private static byte[] withHeader(byte[] encoded, int index, byte value) {
    byte[] changed = encoded.clone();
    changed[index] = value;
    CRC32C crc = new CRC32C();
    crc.update(changed, 0, 40);
    ByteBuffer.wrap(changed).putInt(40, (int) crc.getValue());
    return changed;
  }

  private static byte[] flip(byte[] bytes, int bit) {
    byte[] flipped = bytes.clone();
    flipped[bit / 8] ^= (byte) (1 << (bit % 8));
    return flipped;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
