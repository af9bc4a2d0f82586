package io.tierstate.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Zstandard compression of byte arrays, for values stored in Redis.
 *
 * <p>{@link #compress} writes one zstd frame that declares its content size and carries a content
 * checksum, so that corruption of compressed bytes is detected rather than decoded. {@link
 * #decompress} reads only such frames, and refuses one that declares more than a given maximum
 * before allocating anything: bytes read from Redis cannot make a reader allocate more than it
 * allows (a decompression bomb).
 *
 * <p>This class has static methods only and is thread-safe.
 */
public final class Compression {

  /** The zstd level used by {@link #compress(byte[])}: fast, with a good ratio on JSON. */
  public static final int DEFAULT_LEVEL = 3;

  // ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR, as zstd-jni returns them.
  private static final long CONTENT_SIZE_UNKNOWN = -1;
  private static final long CONTENT_SIZE_ERROR = -2;
  private static final int ZSTD_MAGIC_BYTES = 4;

  private Compression() {}

  /**
   * Compresses bytes at {@link #DEFAULT_LEVEL}.
   *
   * @throws NullPointerException if {@code data} is null
   * @throws CodecException if zstd fails
   */
  public static byte[] compress(byte[] data) {
    return compress(data, DEFAULT_LEVEL);
  }

  /**
   * Compresses bytes at the given zstd level.
   *
   * @throws NullPointerException if {@code data} is null
   * @throws IllegalArgumentException if {@code level} is outside the range zstd supports
   * @throws CodecException if zstd fails
   */
  public static byte[] compress(byte[] data, int level) {
    Objects.requireNonNull(data, "data");
    int min = Zstd.minCompressionLevel();
    int max = Zstd.maxCompressionLevel();
    if (level < min || level > max) {
      throw new IllegalArgumentException(
          "zstd level " + level + " is outside the supported range [" + min + ", " + max + "]");
    }
    long bound = Zstd.compressBound(data.length);
    if (bound > Integer.MAX_VALUE - 8) {
      throw new CodecException(
          "cannot compress "
              + data.length
              + " bytes: the output may exceed the maximum array size");
    }
    byte[] out = new byte[(int) bound];
    long written;
    try {
      written =
          Zstd.compressByteArray(
              out, 0, out.length, data, 0, data.length, level, /* checksumFlag= */ true);
    } catch (ZstdException e) {
      throw new CodecException(
          "zstd failed to compress " + data.length + " bytes: " + e.getMessage(), e);
    }
    if (Zstd.isError(written)) {
      throw new CodecException(
          "zstd failed to compress " + data.length + " bytes: " + Zstd.getErrorName(written));
    }
    return Arrays.copyOf(out, (int) written);
  }

  /**
   * Decompresses one zstd frame written by {@link #compress}.
   *
   * @param maxSize the largest decompressed size accepted, in bytes
   * @throws NullPointerException if {@code data} is null
   * @throws IllegalArgumentException if {@code maxSize} is negative
   * @throws CodecException if the bytes are not one complete zstd frame that declares its content
   *     size, if that size is more than {@code maxSize}, or if the frame is corrupt
   */
  public static byte[] decompress(byte[] data, int maxSize) {
    return decompress(data, 0, data.length, maxSize);
  }

  /**
   * Decompresses one zstd frame written by {@link #compress} that sits in {@code data[offset,
   * offset + length)}.
   *
   * @param maxSize the largest decompressed size accepted, in bytes
   * @throws NullPointerException if {@code data} is null
   * @throws IndexOutOfBoundsException if the range is not inside {@code data}
   * @throws IllegalArgumentException if {@code maxSize} is negative
   * @throws CodecException if the range is not one complete zstd frame that declares its content
   *     size, if that size is more than {@code maxSize}, or if the frame is corrupt
   */
  public static byte[] decompress(byte[] data, int offset, int length, int maxSize) {
    Objects.checkFromIndexSize(offset, length, data.length);
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must not be negative, was " + maxSize);
    }
    // zstd-jni indexes the array before checking the length, so very short input is refused here.
    long declared =
        length < ZSTD_MAGIC_BYTES
            ? CONTENT_SIZE_ERROR
            : Zstd.getFrameContentSize(data, offset, length);
    if (declared == CONTENT_SIZE_UNKNOWN) {
      throw new CodecException(
          "zstd frame does not declare its content size, so its size cannot be checked before"
              + " decompressing it; only frames written by Compression.compress are read");
    }
    if (declared < 0) {
      throw new CodecException(
          "not a zstd frame: " + length + " bytes without a valid zstd frame header");
    }
    if (declared > maxSize) {
      throw new CodecException(
          "zstd frame declares "
              + declared
              + " bytes, more than the limit of "
              + maxSize
              + "; refusing to decompress it");
    }
    byte[] out = new byte[(int) declared];
    long written;
    try {
      written = Zstd.decompressByteArray(out, 0, out.length, data, offset, length);
    } catch (ZstdException e) {
      throw new CodecException(
          "zstd frame of " + length + " bytes is corrupt: " + e.getMessage(), e);
    }
    if (Zstd.isError(written)) {
      throw new CodecException(
          "zstd frame of " + length + " bytes is corrupt: " + Zstd.getErrorName(written));
    }
    if (written != declared) {
      throw new CodecException("zstd frame declares " + declared + " bytes but holds " + written);
    }
    return out;
  }
}
