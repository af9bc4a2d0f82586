package io.tierstate.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * Turns values into bytes for Redis and back. Implementations must be thread-safe and must never
 * let bytes read from Redis choose the class that is instantiated (no Java serialization, no
 * polymorphic type ids naming classes): the caller names the type.
 *
 * <p>The default is {@link JacksonCodec}.
 */
public interface Codec {

  /**
   * A small number stored with every entry, so that entries written by another codec are read as
   * misses instead of being decoded wrongly. Ids 0 to 15 are reserved for Tierstate's own codecs.
   */
  byte id();

  /**
   * Encodes a value.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws CodecException if the value cannot be encoded
   */
  byte[] encode(Object value);

  /**
   * Decodes bytes produced by {@link #encode} into the named type.
   *
   * @throws NullPointerException if {@code bytes} or {@code type} is null
   * @throws CodecException if the bytes are not a valid encoding of that type
   */
  <T> T decode(byte[] bytes, TypeRef<T> type);

  /**
   * Decodes the range {@code [offset, offset + length)} of {@code bytes}, which holds bytes
   * produced by {@link #encode}, into the named type. Lets a caller decode a value that sits inside
   * a larger array (an L2 entry behind its header) without copying it out first.
   *
   * <p>The default implementation copies the range unless it covers the whole array; codecs that
   * can read a sub-range directly should override it.
   *
   * @throws NullPointerException if {@code bytes} or {@code type} is null
   * @throws IndexOutOfBoundsException if the range is not inside {@code bytes}
   * @throws CodecException if the bytes are not a valid encoding of that type
   */
  default <T> T decode(byte[] bytes, int offset, int length, TypeRef<T> type) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (offset == 0 && length == bytes.length) {
      return decode(bytes, type);
    }
    return decode(Arrays.copyOfRange(bytes, offset, offset + length), type);
  }
}
