package io.tierstate.codec;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.TypeResolverBuilder;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link Codec}: JSON through Jackson, with codec id {@value #ID}.
 *
 * <p>Bytes read from Redis never choose the class that is instantiated. Default typing is always
 * off, and type ids that name classes ({@code @JsonTypeInfo(use = CLASS)} or {@code MINIMAL_CLASS})
 * are refused: encoding or decoding such a type fails with a {@link CodecException}, and a {@link
 * PolymorphicTypeValidator} that denies every class-name-based subtype backs this up should a
 * custom annotation introspector produce one anyway. For polymorphic values, use
 * {@code @JsonTypeInfo(use = NAME)} with {@code @JsonSubTypes}: the set of classes is then fixed by
 * the code, not by the data.
 *
 * <p>Unknown properties are ignored when decoding. An L2 entry outlives the code that wrote it:
 * during a rolling deploy, old and new nodes share Redis, and a field added to a cached type would
 * otherwise make every entry written by the new version an error on the old nodes (and the reverse
 * when a field is removed) until the entries expire.
 *
 * <p>Decoding looks up a prepared reader per type in a map, so a read does no type resolution after
 * the first one for its type; the map grows with the number of distinct types decoded, which a
 * program fixes in its code.
 *
 * <p>Values are written by their runtime class, since {@link #encode} is not told a declared type.
 * A polymorphic value at the top level keeps its type id, but the elements of a top-level {@code
 * List<Shape>} do not (their declared type is erased); put such a collection in a record field
 * declared as {@code List<Shape>}.
 *
 * <p>Strings are written as UTF-8; a string holding an unpaired surrogate (which is not valid
 * Unicode) comes back with {@code '?'} in its place.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class JacksonCodec implements Codec {

  /** The codec id stored with every entry this codec writes. */
  public static final byte ID = 1;

  private final ObjectMapper mapper;
  private final ObjectWriter writer;
  // Keyed by the reflected type, not the TypeRef: an anonymous TypeRef may hold its enclosing
  // instance, which the map would otherwise keep alive for good.
  private final ConcurrentHashMap<Type, ObjectReader> readers = new ConcurrentHashMap<>();

  private JacksonCodec(ObjectMapper mapper) {
    this.mapper = mapper;
    this.writer = mapper.writer();
  }

  /**
   * A codec with Tierstate's own mapper: {@code java.time} and {@code Optional} support, dates and
   * durations written as ISO-8601 strings (zoned date-times keep their zone id, and offsets are not
   * adjusted when read, so a value comes back equal to the one written), unknown properties
   * ignored, and class-name type ids refused.
   */
  public static JacksonCodec create() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(SerializationFeature.WRITE_DATES_WITH_ZONE_ID)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();
    return new JacksonCodec(secure(mapper));
  }

  /**
   * A codec with a copy of the given mapper, so that an application's modules, naming strategy and
   * serializers apply to cached values. The copy is changed, the given mapper is not: default
   * typing is turned off, class-name type ids are refused, unknown properties are ignored, trailing
   * data after a value is an error, and {@code JavaTimeModule} and {@code Jdk8Module} are
   * registered unless the mapper already has them. Format choices, such as how dates are written,
   * stay the mapper's.
   *
   * @throws NullPointerException if {@code mapper} is null
   * @throws IllegalArgumentException if the mapper does not write JSON, or is a subclass of {@code
   *     ObjectMapper} that cannot be copied
   */
  public static JacksonCodec using(ObjectMapper mapper) {
    Objects.requireNonNull(mapper, "mapper");
    String format = mapper.getFactory().getFormatName();
    if (!"JSON".equals(format)) {
      throw new IllegalArgumentException(
          "JacksonCodec writes JSON, but the mapper writes " + format + "; pass a JSON mapper");
    }
    ObjectMapper copy;
    try {
      copy = mapper.copy();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(
          "mapper of type " + mapper.getClass().getName() + " cannot be copied: " + e.getMessage(),
          e);
    }
    copy.registerModule(new JavaTimeModule());
    copy.registerModule(new Jdk8Module());
    return new JacksonCodec(secure(copy));
  }

  private static ObjectMapper secure(ObjectMapper mapper) {
    mapper.deactivateDefaultTyping();
    mapper.setPolymorphicTypeValidator(DenyClassNameSubtypes.INSTANCE);
    mapper.setAnnotationIntrospectors(
        AnnotationIntrospector.pair(
            RefuseClassNameTypeIds.INSTANCE,
            mapper.getSerializationConfig().getAnnotationIntrospector()),
        AnnotationIntrospector.pair(
            RefuseClassNameTypeIds.INSTANCE,
            mapper.getDeserializationConfig().getAnnotationIntrospector()));
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    return mapper;
  }

  /** Returns {@value #ID}. */
  @Override
  public byte id() {
    return ID;
  }

  /**
   * Encodes a value as UTF-8 JSON, using its runtime class.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws CodecException if Jackson cannot serialize the value, for instance because its class
   *     has no properties or uses a class-name type id
   */
  @Override
  public byte[] encode(Object value) {
    Objects.requireNonNull(value, "value");
    try {
      return writer.writeValueAsBytes(value);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String problem =
          e instanceof JsonProcessingException processing
              ? processing.getOriginalMessage()
              : e.getMessage();
      throw new CodecException(
          "cannot encode a value of type " + value.getClass().getName() + ": " + problem, e);
    }
  }

  /**
   * Decodes UTF-8 JSON into the named type.
   *
   * @throws NullPointerException if {@code bytes} or {@code type} is null
   * @throws CodecException if the bytes are not JSON for that type, or are the JSON {@code null}
   *     (the message names the type and says where the JSON went wrong, but quotes none of the
   *     bytes; the cause may)
   */
  @Override
  public <T> T decode(byte[] bytes, TypeRef<T> type) {
    return decode(bytes, 0, bytes.length, type);
  }

  /**
   * Decodes the UTF-8 JSON in {@code bytes[offset, offset + length)} into the named type, without
   * copying the range.
   *
   * @throws NullPointerException if {@code bytes} or {@code type} is null
   * @throws IndexOutOfBoundsException if the range is not inside {@code bytes}
   * @throws CodecException if the bytes are not JSON for that type, or are the JSON {@code null}
   */
  @Override
  public <T> T decode(byte[] bytes, int offset, int length, TypeRef<T> type) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    T value;
    try {
      value = readerFor(type).readValue(bytes, offset, length);
    } catch (IOException | IllegalArgumentException e) {
      throw new CodecException(describeDecodeFailure(length, type, e), e);
    }
    if (value == null) {
      throw new CodecException(
          "cannot decode " + length + " bytes as " + type + ": the bytes encode null");
    }
    return value;
  }

  private ObjectReader readerFor(TypeRef<?> type) {
    Type key = type.type();
    ObjectReader reader = readers.get(key);
    if (reader == null) {
      reader =
          readers.computeIfAbsent(
              key, k -> mapper.readerFor(mapper.getTypeFactory().constructType(k)));
    }
    return reader;
  }

  private static String describeDecodeFailure(int length, TypeRef<?> type, Exception e) {
    // Definition problems describe the type, not the data, so their message is safe and useful.
    if (e instanceof InvalidDefinitionException definition) {
      return "cannot decode " + type + ": " + definition.getOriginalMessage();
    }
    if (e instanceof IllegalArgumentException) {
      return "cannot decode " + type + ": " + e.getMessage();
    }
    StringBuilder message =
        new StringBuilder("cannot decode ")
            .append(length)
            .append(" bytes as ")
            .append(type)
            .append(": ")
            .append(e.getClass().getSimpleName());
    if (e instanceof JsonProcessingException processing) {
      JsonLocation location = processing.getLocation();
      if (location != null && location.getLineNr() > 0) {
        message
            .append(" at line ")
            .append(location.getLineNr())
            .append(", column ")
            .append(location.getColumnNr());
      }
    }
    return message.toString();
  }

  @Override
  public String toString() {
    return "JacksonCodec[id=" + ID + "]";
  }

  /**
   * Refuses {@code @JsonTypeInfo(use = CLASS | MINIMAL_CLASS)} when a serializer or deserializer is
   * built, so that such a type fails on its first write, not on every read.
   */
  private static final class RefuseClassNameTypeIds extends NopAnnotationIntrospector {
    private static final long serialVersionUID = 1L;
    static final RefuseClassNameTypeIds INSTANCE = new RefuseClassNameTypeIds();

    @Override
    public @Nullable TypeResolverBuilder<?> findTypeResolver(
        MapperConfig<?> config, AnnotatedClass annotated, JavaType baseType) {
      refuseClassNameTypeId(annotated, annotated.getName());
      return null;
    }

    @Override
    public @Nullable TypeResolverBuilder<?> findPropertyTypeResolver(
        MapperConfig<?> config, AnnotatedMember annotated, JavaType baseType) {
      refuseClassNameTypeId(annotated, memberName(annotated));
      return null;
    }

    @Override
    public @Nullable TypeResolverBuilder<?> findPropertyContentTypeResolver(
        MapperConfig<?> config, AnnotatedMember annotated, JavaType containerType) {
      refuseClassNameTypeId(annotated, memberName(annotated));
      return null;
    }

    private static String memberName(AnnotatedMember member) {
      return member.getDeclaringClass().getName() + "." + member.getName();
    }

    private static void refuseClassNameTypeId(Annotated annotated, String where) {
      JsonTypeInfo typeInfo = annotated.getAnnotation(JsonTypeInfo.class);
      if (typeInfo != null
          && (typeInfo.use() == JsonTypeInfo.Id.CLASS
              || typeInfo.use() == JsonTypeInfo.Id.MINIMAL_CLASS)) {
        throw new IllegalArgumentException(
            "@JsonTypeInfo(use = "
                + typeInfo.use()
                + ") on "
                + where
                + " is not supported: bytes read from Redis must not name the class to"
                + " instantiate; use @JsonTypeInfo(use = NAME) with @JsonSubTypes");
      }
    }
  }

  /** Denies every subtype named by a class name, whatever introspector produced the type id. */
  private static final class DenyClassNameSubtypes extends PolymorphicTypeValidator.Base {
    private static final long serialVersionUID = 1L;
    static final DenyClassNameSubtypes INSTANCE = new DenyClassNameSubtypes();

    @Override
    public Validity validateBaseType(MapperConfig<?> config, JavaType baseType) {
      return Validity.DENIED;
    }

    @Override
    public Validity validateSubClassName(
        MapperConfig<?> config, JavaType baseType, String subClassName) {
      return Validity.DENIED;
    }

    @Override
    public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
      return Validity.DENIED;
    }
  }
}
