package io.tierstate.internal.cache;

import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.codec.Codec;
import io.tierstate.codec.CodecException;
import io.tierstate.codec.TypeRef;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns values into what the two tiers hold and back: an {@link Envelope}'s bytes for L2 with the
 * {@link L1Entry} that goes with them, and an L2 envelope into a value and its L1 entry. An entry
 * that cannot be read (corrupt, another codec, another type) is counted, logged and read as a miss,
 * never thrown at the caller. Thread-safe.
 */
final class EntryCodec {
  private static final Logger log = LoggerFactory.getLogger(EntryCodec.class);
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final String[] NO_TAGS = new String[0];

  private final Codec codec;
  private final CacheMeters meters;
  private final Regions regions;
  private final Duration defaultTtl;
  private final int compressionThreshold;
  private final int maxValueBytes;
  private final TrustFloor floor;

  EntryCodec(TierstateConfig config, Codec codec, CacheMeters meters, Regions regions) {
    this(config, codec, meters, regions, new TrustFloor());
  }

  EntryCodec(
      TierstateConfig config, Codec codec, CacheMeters meters, Regions regions, TrustFloor floor) {
    this.floor = floor;
    this.codec = codec;
    this.meters = meters;
    this.regions = regions;
    this.defaultTtl = config.defaultTtl();
    this.compressionThreshold = config.compressionThreshold();
    this.maxValueBytes = config.maxValueBytes();
  }

  /** An encoded value ready for L2, and the L1 entry that goes with it. */
  @SuppressWarnings("ArrayRecordComponent") // internal, never compared or hashed
  record Prepared(byte[] bytes, long redisTtlMillis, L1Entry entry) {}

  /** A decoded value and its L1 entry. */
  record Decoded<T>(@Nullable T value, L1Entry entry) {}

  /**
   * Encodes a value (null: an absent marker, under {@code options.cacheAbsent}).
   *
   * @throws IllegalArgumentException if the encoded entry is above {@code maxValueBytes}
   * @throws CodecException if the codec cannot encode the value
   */
  Prepared prepare(String key, @Nullable Object value, CacheOptions options, TypeRef<?> type) {
    return prepare(key, value, options, type, System.currentTimeMillis());
  }

  /**
   * Like {@link #prepare(String, Object, CacheOptions, TypeRef)}, with the envelope's created time
   * set to {@code readAtMillis}, the moment the value was read from its source (at most now): a
   * loaded value is as old as that read, so the trust floor raised by a failover during the load
   * distrusts it like any entry written before the failover.
   */
  private Prepared prepare(
      String key,
      @Nullable Object value,
      CacheOptions options,
      TypeRef<?> type,
      long readAtMillis) {
    Region region = regions.resolve(options);
    long nowMillis = System.currentTimeMillis();
    long createdAtMillis = floor.stamp(Math.min(readAtMillis, nowMillis));
    long nowNanos = System.nanoTime();
    boolean absent = value == null;
    Duration ttl = absent ? Objects.requireNonNull(options.absentTtlOrNull()) : options.ttlOrNull();
    long ttlMillis = (ttl == null ? defaultTtl : ttl).toMillis();
    if (options.jitterFraction() > 0) {
      ttlMillis -=
          (long) (ttlMillis * options.jitterFraction() * ThreadLocalRandom.current().nextDouble());
    }
    ttlMillis = Math.max(1, ttlMillis);
    long swr = absent ? 0 : options.staleWhileRevalidateWindow().toMillis();
    long sie = absent ? 0 : options.staleIfErrorWindow().toMillis();
    long freshUntil = nowMillis + ttlMillis;
    byte[] payload = value == null ? new byte[0] : codec.encode(value);
    Envelope envelope =
        new Envelope(
            absent,
            codec.id(),
            createdAtMillis,
            freshUntil,
            freshUntil + swr,
            freshUntil + sie,
            payload);
    byte[] bytes = envelope.encode(compressionThreshold, options.compressionForced());
    if (bytes.length > maxValueBytes) {
      throw new IllegalArgumentException(
          "value for key '"
              + key
              + "' is "
              + bytes.length
              + " bytes encoded, above the maximum of "
              + maxValueBytes
              + " (maxValueBytes)");
    }
    L1Entry entry =
        new L1Entry(
            value,
            type,
            nowNanos,
            nowNanos + ttlMillis * NANOS_PER_MILLI,
            nowNanos + (ttlMillis + swr) * NANOS_PER_MILLI,
            nowNanos + (ttlMillis + sie) * NANOS_PER_MILLI,
            ttlMillis * NANOS_PER_MILLI,
            options.tagArray(),
            region);
    return new Prepared(bytes, ttlMillis + Math.max(swr, sie), entry);
  }

  /**
   * Like {@link #prepare}, but a loaded value too large to cache is logged and served uncached;
   * {@code readAtMillis} is when the loader began reading the source.
   */
  @Nullable Prepared prepareLoaded(
      String key,
      @Nullable Object value,
      CacheOptions options,
      TypeRef<?> type,
      long readAtMillis) {
    try {
      return prepare(key, value, options, type, readAtMillis);
    } catch (IllegalArgumentException | CodecException e) {
      meters.codecErrors.increment();
      log.warn("Loaded value for '{}' is not cached: {}", key, e.getMessage());
      return null;
    }
  }

  /**
   * The region the options name, resolved on this node.
   *
   * @throws IllegalStateException if it is one region more than this node accepts
   */
  @Nullable Region region(CacheOptions options) {
    return regions.resolve(options);
  }

  /**
   * The envelope in L2's bytes, or null (counted and logged) when they are corrupt, or (counted)
   * when they were created before the trust floor: a failover may have dropped the delete that
   * would have removed them. Every L2 read goes through here.
   */
  @Nullable Envelope decodeEnvelope(String key, byte[] bytes) {
    try {
      Envelope envelope = Envelope.decode(bytes, maxValueBytes * 16);
      if (!floor.trusts(envelope.createdAtMillis())) {
        meters.untrustedEntries.increment();
        return null;
      }
      return envelope;
    } catch (CorruptEntryException e) {
      meters.corruptEntries.increment();
      log.warn("Corrupt cache entry at '{}' read as a miss: {}", key, e.getMessage());
      return null;
    }
  }

  /**
   * The value in an envelope and its L1 entry, or null (counted and logged) when it cannot be read
   * as {@code type}.
   */
  <T> @Nullable Decoded<T> decodeValue(
      String key, Envelope envelope, TypeRef<T> type, @Nullable Region region) {
    if (envelope.codecId() != codec.id()) {
      meters.codecErrors.increment();
      log.warn(
          "Entry '{}' was written with codec {} but this node uses codec {}; read as a miss",
          key,
          envelope.codecId(),
          codec.id());
      return null;
    }
    T value;
    try {
      value = envelope.absent() ? null : envelope.decodePayload(codec, type);
    } catch (CodecException e) {
      meters.codecErrors.increment();
      log.warn("Entry '{}' cannot be decoded as {}; read as a miss: {}", key, type, e.getMessage());
      return null;
    }
    long nowMillis = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    L1Entry entry =
        new L1Entry(
            value,
            type,
            nowNanos,
            nowNanos + (envelope.freshUntilMillis() - nowMillis) * NANOS_PER_MILLI,
            nowNanos + (envelope.staleUntilMillis() - nowMillis) * NANOS_PER_MILLI,
            nowNanos + (envelope.errorUntilMillis() - nowMillis) * NANOS_PER_MILLI,
            (envelope.freshUntilMillis() - envelope.createdAtMillis()) * NANOS_PER_MILLI,
            NO_TAGS,
            region);
    return new Decoded<>(value, entry);
  }
}
