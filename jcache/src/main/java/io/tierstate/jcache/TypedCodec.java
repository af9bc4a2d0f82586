package io.tierstate.jcache;

import io.tierstate.codec.Codec;
import io.tierstate.codec.CodecException;
import io.tierstate.codec.TypeRef;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.cache.CacheException;

/**
 * Encodes JCache keys and values with the Tierstate codec and decodes them into the class recorded
 * beside them, but only a class this cache may hold: the configured key or value type itself, a JDK
 * value type, or one allowed by {@code TIERSTATE_JCACHE_ALLOWED_TYPES}, and always one assignable to
 * the configured type. Bytes read from Redis never name an arbitrary class to instantiate.
 *
 * <p>Thread-safe.
 */
final class TypedCodec {
  private static final Set<Class<?>> VALUE_TYPES = Set.of(
      String.class, Integer.class, Long.class, Short.class, Byte.class, Double.class, Float.class,
      Boolean.class, Character.class, BigInteger.class, BigDecimal.class, UUID.class, Date.class,
      Instant.class, LocalDate.class, LocalDateTime.class, java.util.Map.class, java.util.List.class,
      java.util.Set.class);
  private static final Set<String> VALUE_TYPE_NAMES =
      VALUE_TYPES.stream().map(Class::getName).collect(java.util.stream.Collectors.toUnmodifiableSet());

  private final Codec codec;
  private final ClassLoader classLoader;
  private final List<String> allowedTypes;
  private final ConcurrentMap<String, Class<?>> resolved = new ConcurrentHashMap<>();

  TypedCodec(Codec codec, ClassLoader classLoader, List<String> allowedTypes) {
    this.codec = codec;
    this.classLoader = classLoader;
    this.allowedTypes = allowedTypes;
  }

  /**
   * The type recorded beside an encoded value: its class, or for maps, lists and sets the
   * interface, so that the codec chooses the implementation it decodes into.
   */
  static String typeName(Object value) {
    if (value instanceof java.util.Map) {
      return "java.util.Map";
    }
    if (value instanceof java.util.List) {
      return "java.util.List";
    }
    if (value instanceof java.util.Set) {
      return "java.util.Set";
    }
    return value.getClass().getName();
  }

  byte[] encode(Object value) {
    try {
      return codec.encode(value);
    } catch (CodecException e) {
      throw new CacheException("cannot encode a " + value.getClass().getName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes bytes written for a {@code typeName}, which must be allowed and assignable to {@code declared}.
   *
   * @throws CacheException if the type is not allowed or the bytes do not decode
   */
  <T> T decode(String typeName, byte[] bytes, Class<T> declared) {
    Class<?> type = resolve(typeName, declared);
    try {
      return declared.cast(codec.decode(bytes, TypeRef.of(type)));
    } catch (CodecException e) {
      throw new CacheException("cannot decode a cached " + typeName + ": " + e.getMessage(), e);
    }
  }

  private Class<?> resolve(String typeName, Class<?> declared) {
    // Checked on every call: the resolved classes are shared by caches with different types.
    if (!(declared.getName().equals(typeName) || allowedByName(typeName))) {
      throw new CacheException("the cached type " + typeName + " is not allowed here: name it as the cache's"
          + " key or value type, or add it to TIERSTATE_JCACHE_ALLOWED_TYPES (class names or package.*)");
    }
    Class<?> type = resolved.get(typeName);
    if (type == null) {
      try {
        type = Class.forName(typeName, false, classLoader);
      } catch (ClassNotFoundException e) {
        throw new CacheException("the cached type " + typeName + " is not on this class path", e);
      }
      resolved.putIfAbsent(typeName, type);
    }
    if (!declared.isAssignableFrom(type)) {
      throw new CacheException("the cached type " + typeName + " is not a " + declared.getName());
    }
    return type;
  }

  private boolean allowedByName(String typeName) {
    if (VALUE_TYPE_NAMES.contains(typeName)) {
      return true;
    }
    for (String allowed : allowedTypes) {
      if (allowed.equals(typeName)
          || (allowed.endsWith(".*") && typeName.startsWith(allowed.substring(0, allowed.length() - 1)))) {
        return true;
      }
    }
    return false;
  }
}
