package io.tierstate.internal.cache;

import io.tierstate.codec.Codec;
import io.tierstate.codec.CodecException;
import io.tierstate.codec.Compression;
import io.tierstate.codec.TypeRef;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The versioned binary form of every L2 value: a fixed header with the entry's deadlines, then the
 * codec's bytes, compressed or not.
 *
 * <p>Format version 1, big-endian, {@value #HEADER_BYTES} bytes of header:
 *
 * <pre>
 * offset size field
 *      0    1 magic 0x54 ('T')
 *      1    1 format version, 1
 *      2    1 flags: bit 0 payload is zstd-compressed, bit 1 ABSENT (a cached "not found",
 *             empty payload); other bits must be 0
 *      3    1 codec id
 *      4    8 createdAtMillis
 *     12    8 freshUntilMillis   (epoch ms; stale from then on)
 *     20    8 staleUntilMillis   (stale-while-revalidate deadline)
 *     28    8 errorUntilMillis   (stale-if-error deadline)
 *     36    4 payload length, as stored
 *     40    4 CRC32C of bytes 0 to 39
 *     44    n payload
 * </pre>
 *
 * <p>The header checksum makes any damage to the header, including to a deadline, a rejected entry
 * instead of, say, a value that stays fresh for a century. The payload is not covered: a compressed
 * payload carries zstd's own checksum, and damage to an uncompressed one is left to the codec.
 * Deadlines are ordered: {@code createdAt <= freshUntil <= staleUntil} and {@code freshUntil <=
 * errorUntil}.
 *
 * <p>{@link #decode} of an uncompressed entry does not copy the payload: the envelope reads it in
 * place, so the array given to {@code decode} must not be changed afterwards. {@link
 * #decodePayload} hands the range straight to the codec.
 *
 * <p>Instances are immutable and thread-safe, as long as the arrays given to the constructor or to
 * {@code decode} are not changed.
 */
final class Envelope {
  static final byte MAGIC = 0x54;
  static final byte FORMAT_VERSION = 1;
  static final int HEADER_BYTES = 44;
  static final int FLAG_COMPRESSED = 0x01;
  static final int FLAG_ABSENT = 0x02;

  private static final int KNOWN_FLAGS = FLAG_COMPRESSED | FLAG_ABSENT;
  private static final int CHECKSUMMED_BYTES = 40;
  private static final byte[] NO_BYTES = {};
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private final boolean absent;
  private final byte codecId;
  private final long createdAtMillis;
  private final long freshUntilMillis;
  private final long staleUntilMillis;
  private final long errorUntilMillis;
  private final byte[] payloadArray;
  private final int payloadOffset;
  private final int payloadLength;

  /**
   * An entry holding {@code payload}, the codec's uncompressed bytes, which the envelope keeps
   * without copying.
   *
   * @throws NullPointerException if {@code payload} is null
   * @throws IllegalArgumentException if {@code absent} and the payload is not empty, or if the
   *     deadlines are out of order
   */
  Envelope(
      boolean absent,
      byte codecId,
      long createdAtMillis,
      long freshUntilMillis,
      long staleUntilMillis,
      long errorUntilMillis,
      byte[] payload) {
    this(
        absent,
        codecId,
        createdAtMillis,
        freshUntilMillis,
        staleUntilMillis,
        errorUntilMillis,
        Objects.requireNonNull(payload, "payload"),
        0,
        payload.length);
    String problem =
        problem(
            absent,
            payload.length,
            createdAtMillis,
            freshUntilMillis,
            staleUntilMillis,
            errorUntilMillis);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * An ABSENT entry: a cached "not found", with no payload.
   *
   * @throws IllegalArgumentException if the deadlines are out of order
   */
  static Envelope absentEntry(
      byte codecId,
      long createdAtMillis,
      long freshUntilMillis,
      long staleUntilMillis,
      long errorUntilMillis) {
    return new Envelope(
        true,
        codecId,
        createdAtMillis,
        freshUntilMillis,
        staleUntilMillis,
        errorUntilMillis,
        NO_BYTES);
  }

  private Envelope(
      boolean absent,
      byte codecId,
      long createdAtMillis,
      long freshUntilMillis,
      long staleUntilMillis,
      long errorUntilMillis,
      byte[] payloadArray,
      int payloadOffset,
      int payloadLength) {
    this.absent = absent;
    this.codecId = codecId;
    this.createdAtMillis = createdAtMillis;
    this.freshUntilMillis = freshUntilMillis;
    this.staleUntilMillis = staleUntilMillis;
    this.errorUntilMillis = errorUntilMillis;
    this.payloadArray = payloadArray;
    this.payloadOffset = payloadOffset;
    this.payloadLength = payloadLength;
  }

  private static @Nullable String problem(
      boolean absent,
      int payloadLength,
      long createdAtMillis,
      long freshUntilMillis,
      long staleUntilMillis,
      long errorUntilMillis) {
    if (absent && payloadLength != 0) {
      return "an ABSENT entry has no payload, but " + payloadLength + " bytes were given";
    }
    if (freshUntilMillis < createdAtMillis) {
      return "freshUntilMillis ("
          + freshUntilMillis
          + ") is before createdAtMillis ("
          + createdAtMillis
          + ")";
    }
    if (staleUntilMillis < freshUntilMillis) {
      return "staleUntilMillis ("
          + staleUntilMillis
          + ") is before freshUntilMillis ("
          + freshUntilMillis
          + ")";
    }
    if (errorUntilMillis < freshUntilMillis) {
      return "errorUntilMillis ("
          + errorUntilMillis
          + ") is before freshUntilMillis ("
          + freshUntilMillis
          + ")";
    }
    return null;
  }

  /**
   * The stored form of this entry. The payload is compressed when it is at least {@code
   * compressionThreshold} bytes long, or {@code forceCompression} is set, and compression makes it
   * smaller; otherwise it is stored as is.
   *
   * @throws IllegalArgumentException if {@code compressionThreshold} is negative
   * @throws CodecException if zstd fails to compress the payload
   */
  byte[] encode(int compressionThreshold, boolean forceCompression) {
    if (compressionThreshold < 0) {
      throw new IllegalArgumentException(
          "compressionThreshold must not be negative, was " + compressionThreshold);
    }
    byte[] stored = payloadArray;
    int storedOffset = payloadOffset;
    int storedLength = payloadLength;
    int flags = absent ? FLAG_ABSENT : 0;
    if (payloadLength > 0 && (forceCompression || payloadLength >= compressionThreshold)) {
      byte[] whole =
          payloadOffset == 0 && payloadLength == payloadArray.length ? payloadArray : payload();
      byte[] compressed = Compression.compress(whole);
      if (compressed.length < payloadLength) {
        stored = compressed;
        storedOffset = 0;
        storedLength = compressed.length;
        flags |= FLAG_COMPRESSED;
      }
    }
    byte[] out = new byte[HEADER_BYTES + storedLength];
    out[0] = MAGIC;
    out[1] = FORMAT_VERSION;
    out[2] = (byte) flags;
    out[3] = codecId;
    LONG.set(out, 4, createdAtMillis);
    LONG.set(out, 12, freshUntilMillis);
    LONG.set(out, 20, staleUntilMillis);
    LONG.set(out, 28, errorUntilMillis);
    INT.set(out, 36, storedLength);
    INT.set(out, 40, headerChecksum(out));
    System.arraycopy(stored, storedOffset, out, HEADER_BYTES, storedLength);
    return out;
  }

  /** Whether valid entry bytes (checked by {@link #decode}) hold a compressed payload. */
  static boolean compressed(byte[] bytes) {
    return (bytes[2] & FLAG_COMPRESSED) != 0;
  }

  /**
   * Reads an entry from its stored form. An uncompressed payload is read in place, without a copy.
   *
   * @param maxPayloadBytes the largest payload accepted, after decompression
   * @throws NullPointerException if {@code bytes} is null
   * @throws IllegalArgumentException if {@code maxPayloadBytes} is negative
   * @throws CorruptEntryException if the bytes are not an entry of format version 1: wrong magic
   *     byte, other version, truncated or extra bytes, header checksum mismatch, unknown flags,
   *     deadlines out of order, a payload larger than {@code maxPayloadBytes}, or a compressed
   *     payload that fails to decompress
   */
  static Envelope decode(byte[] bytes, int maxPayloadBytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (maxPayloadBytes < 0) {
      throw new IllegalArgumentException(
          "maxPayloadBytes must not be negative, was " + maxPayloadBytes);
    }
    if (bytes.length == 0) {
      throw new CorruptEntryException("entry is empty");
    }
    if (bytes[0] != MAGIC) {
      throw new CorruptEntryException(
          String.format(
              "not a Tierstate entry: first byte is 0x%02x, expected 0x%02x", bytes[0], MAGIC));
    }
    if (bytes.length > 1 && bytes[1] != FORMAT_VERSION) {
      throw new CorruptEntryException(
          "entry has format version "
              + Byte.toUnsignedInt(bytes[1])
              + ", but this version of Tierstate reads only version "
              + FORMAT_VERSION);
    }
    if (bytes.length < HEADER_BYTES) {
      throw new CorruptEntryException(
          "entry is truncated: "
              + bytes.length
              + " bytes, less than its "
              + HEADER_BYTES
              + "-byte header");
    }
    int storedChecksum = (int) INT.get(bytes, 40);
    if (storedChecksum != headerChecksum(bytes)) {
      throw new CorruptEntryException("entry header is damaged: its checksum does not match");
    }
    int flags = Byte.toUnsignedInt(bytes[2]);
    if ((flags & ~KNOWN_FLAGS) != 0) {
      throw new CorruptEntryException(String.format("entry has unknown flags 0x%02x", flags));
    }
    boolean absent = (flags & FLAG_ABSENT) != 0;
    boolean compressed = (flags & FLAG_COMPRESSED) != 0;
    byte codecId = bytes[3];
    long createdAt = (long) LONG.get(bytes, 4);
    long freshUntil = (long) LONG.get(bytes, 12);
    long staleUntil = (long) LONG.get(bytes, 20);
    long errorUntil = (long) LONG.get(bytes, 28);
    int storedLength = (int) INT.get(bytes, 36);
    if (storedLength != bytes.length - HEADER_BYTES) {
      throw new CorruptEntryException(
          "entry declares a "
              + Integer.toUnsignedString(storedLength)
              + "-byte payload but holds "
              + (bytes.length - HEADER_BYTES)
              + " bytes after its header");
    }
    if (absent && compressed) {
      throw new CorruptEntryException("entry is flagged both ABSENT and compressed");
    }
    String problem = problem(absent, storedLength, createdAt, freshUntil, staleUntil, errorUntil);
    if (problem != null) {
      throw new CorruptEntryException("entry is invalid: " + problem);
    }
    if (!compressed) {
      if (storedLength > maxPayloadBytes) {
        throw new CorruptEntryException(
            "entry payload of " + storedLength + " bytes exceeds the limit of " + maxPayloadBytes);
      }
      return new Envelope(
          absent,
          codecId,
          createdAt,
          freshUntil,
          staleUntil,
          errorUntil,
          bytes,
          HEADER_BYTES,
          storedLength);
    }
    byte[] payload;
    try {
      payload = Compression.decompress(bytes, HEADER_BYTES, storedLength, maxPayloadBytes);
    } catch (CodecException e) {
      throw new CorruptEntryException("entry payload cannot be decompressed: " + e.getMessage(), e);
    }
    return new Envelope(
        false, codecId, createdAt, freshUntil, staleUntil, errorUntil, payload, 0, payload.length);
  }

  private static int headerChecksum(byte[] header) {
    CRC32C crc = new CRC32C();
    crc.update(header, 0, CHECKSUMMED_BYTES);
    return (int) crc.getValue();
  }

  /**
   * Decodes the payload with {@code codec}, reading it in place.
   *
   * @throws IllegalStateException if this entry is ABSENT
   * @throws CodecException if the codec cannot decode the payload as {@code type}
   */
  <T> T decodePayload(Codec codec, TypeRef<T> type) {
    if (absent) {
      throw new IllegalStateException("an ABSENT entry has no value to decode");
    }
    return codec.decode(payloadArray, payloadOffset, payloadLength, type);
  }

  /** Whether this entry is a cached "not found". */
  boolean absent() {
    return absent;
  }

  /** The id of the codec that wrote the payload. */
  byte codecId() {
    return codecId;
  }

  long createdAtMillis() {
    return createdAtMillis;
  }

  long freshUntilMillis() {
    return freshUntilMillis;
  }

  long staleUntilMillis() {
    return staleUntilMillis;
  }

  long errorUntilMillis() {
    return errorUntilMillis;
  }

  /** A copy of the uncompressed payload; {@link #decodePayload} avoids the copy. */
  byte[] payload() {
    return Arrays.copyOfRange(payloadArray, payloadOffset, payloadOffset + payloadLength);
  }

  /** The length of the uncompressed payload. */
  int payloadLength() {
    return payloadLength;
  }

  /** Whether the entry may be served without a reload: {@code nowMillis < freshUntilMillis}. */
  boolean isFresh(long nowMillis) {
    return nowMillis < freshUntilMillis;
  }

  /**
   * Whether the entry may be served while a reload runs (stale-while-revalidate): {@code nowMillis
   * < staleUntilMillis}. True while it is fresh, too.
   */
  boolean isServableStale(long nowMillis) {
    return nowMillis < staleUntilMillis;
  }

  /**
   * Whether the entry may be served when the reload fails (stale-if-error): {@code nowMillis <
   * errorUntilMillis}. True while it is fresh, too.
   */
  boolean isServableOnError(long nowMillis) {
    return nowMillis < errorUntilMillis;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Envelope that
        && absent == that.absent
        && codecId == that.codecId
        && createdAtMillis == that.createdAtMillis
        && freshUntilMillis == that.freshUntilMillis
        && staleUntilMillis == that.staleUntilMillis
        && errorUntilMillis == that.errorUntilMillis
        && Arrays.equals(
            payloadArray,
            payloadOffset,
            payloadOffset + payloadLength,
            that.payloadArray,
            that.payloadOffset,
            that.payloadOffset + that.payloadLength);
  }

  @Override
  public int hashCode() {
    int hash =
        Objects.hash(
            absent, codecId, createdAtMillis, freshUntilMillis, staleUntilMillis, errorUntilMillis);
    for (int i = payloadOffset; i < payloadOffset + payloadLength; i++) {
      hash = 31 * hash + payloadArray[i];
    }
    return hash;
  }

  @Override
  public String toString() {
    return "Envelope[absent="
        + absent
        + ", codecId="
        + codecId
        + ", createdAtMillis="
        + createdAtMillis
        + ", freshUntilMillis="
        + freshUntilMillis
        + ", staleUntilMillis="
        + staleUntilMillis
        + ", errorUntilMillis="
        + errorUntilMillis
        + ", payloadLength="
        + payloadLength
        + "]";
  }
}
