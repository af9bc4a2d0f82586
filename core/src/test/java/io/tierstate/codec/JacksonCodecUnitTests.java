package io.tierstate.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JacksonCodecUnitTests {
  private final JacksonCodec codec = JacksonCodec.create();

  record User(String name, int age) {}

  record Dates(
      Instant instant,
      LocalDate date,
      OffsetDateTime offset,
      ZonedDateTime zoned,
      Duration duration,
      Optional<String> nickname) {}

  @Test
  void idIsOne() {
    assertThat(codec.id()).isEqualTo((byte) 1).isEqualTo(JacksonCodec.ID);
  }

  @Test
  void roundTripsARecord() {
    User user = new User("Zoë", 42);
    assertThat(codec.decode(codec.encode(user), TypeRef.of(User.class))).isEqualTo(user);
  }

  @Test
  void roundTripsAGenericTypeThroughTypeRef() {
    Map<String, List<User>> teams = Map.of("a", List.of(new User("x", 1), new User("y", 2)));
    byte[] bytes = codec.encode(teams);
    Map<String, List<User>> decoded =
        codec.decode(bytes, new TypeRef<Map<String, List<User>>>() {});
    assertThat(decoded).isEqualTo(teams);
    assertThat(decoded.get("a").get(0)).isInstanceOf(User.class);
  }

  @SuppressWarnings("unused") // its generic return type is what the test reads
  private static List<User> users() {
    return List.of();
  }

  @Test
  void decodesTheGenericTypeReflectionGives() throws Exception {
    java.lang.reflect.Type listOfUsers =
        JacksonCodecUnitTests.class.getDeclaredMethod("users").getGenericReturnType();
    TypeRef<?> ref = TypeRef.of(listOfUsers);
    assertThat(ref).isEqualTo(new TypeRef<List<User>>() {});
    Object decoded = codec.decode(codec.encode(List.of(new User("x", 1))), ref);
    assertThat(decoded).isEqualTo(List.of(new User("x", 1)));
    assertThat(((List<?>) decoded).get(0)).isInstanceOf(User.class);
  }

  @Test
  <T> void rejectsAReflectedTypeWithATypeVariable() throws Exception {
    java.lang.reflect.Type variable =
        JacksonCodecUnitTests.class.getDeclaredMethod("rejectsAReflectedTypeWithATypeVariable")
            .getTypeParameters()[0];
    assertThatThrownBy(() -> TypeRef.of(variable))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("type variable T");
  }

  @Test
  void writesDatesAsIsoStringsAndReadsThemBackEqual() {
    Dates dates =
        new Dates(
            Instant.parse("2024-03-01T10:15:30.123456789Z"),
            LocalDate.parse("2024-02-29"),
            OffsetDateTime.parse("2024-03-01T10:15:30+02:00"),
            ZonedDateTime.of(2024, 3, 31, 2, 30, 0, 0, ZoneId.of("Europe/Paris")),
            Duration.ofMinutes(5),
            Optional.of("z"));
    byte[] bytes = codec.encode(dates);
    assertThat(new String(bytes, UTF_8))
        .contains("\"2024-03-01T10:15:30.123456789Z\"")
        .contains("\"2024-02-29\"")
        .contains("\"2024-03-01T10:15:30+02:00\"")
        .contains("[Europe/Paris]")
        .contains("\"PT5M\"");
    assertThat(codec.decode(bytes, TypeRef.of(Dates.class))).isEqualTo(dates);
  }

  @Test
  void zonedDateTimeWithAnOffsetZoneRoundTrips() {
    ZonedDateTime utc = ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    assertThat(codec.decode(codec.encode(utc), TypeRef.of(ZonedDateTime.class))).isEqualTo(utc);
  }

  @Test
  void ignoresUnknownPropertiesSoAnAddedFieldDoesNotBreakOldReaders() {
    byte[] written = "{\"name\":\"a\",\"age\":3,\"addedInV2\":true}".getBytes(UTF_8);
    assertThat(codec.decode(written, TypeRef.of(User.class))).isEqualTo(new User("a", 3));
  }

  @Test
  void decodesASubRangeWithoutTheBytesAroundIt() {
    byte[] json = codec.encode(new User("a", 1));
    byte[] framed = new byte[json.length + 7];
    framed[0] = '{';
    framed[framed.length - 1] = '}';
    System.arraycopy(json, 0, framed, 3, json.length);
    assertThat(codec.decode(framed, 3, json.length, TypeRef.of(User.class)))
        .isEqualTo(new User("a", 1));
  }

  @Test
  void rejectsARangeOutsideTheArray() {
    assertThatThrownBy(() -> codec.decode(new byte[4], 2, 3, TypeRef.of(String.class)))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void defaultRangeDecodeOfOtherCodecsCopiesTheRange() {
    Codec plain =
        new Codec() {
          @Override
          public byte id() {
            return 99;
          }

          @Override
          public byte[] encode(Object value) {
            return ((String) value).getBytes(UTF_8);
          }

          @Override
          public <T> T decode(byte[] bytes, TypeRef<T> type) {
            @SuppressWarnings("unchecked")
            T value = (T) new String(bytes, UTF_8);
            return value;
          }
        };
    byte[] bytes = "xxhelloyy".getBytes(UTF_8);
    assertThat(plain.decode(bytes, 2, 5, TypeRef.of(String.class))).isEqualTo("hello");
  }

  @Test
  void decodeFailureNamesTheTypeButNotTheBytes() {
    byte[] bytes = "{\"name\":\"secret-token\",\"age\":\"not-a-number\"}".getBytes(UTF_8);
    assertThatThrownBy(() -> codec.decode(bytes, TypeRef.of(User.class)))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith(
            "cannot decode " + bytes.length + " bytes as " + User.class.getName())
        .hasMessageNotContaining("secret-token")
        .hasMessageNotContaining("not-a-number");
  }

  @Test
  void decodeFailureOfAGenericTypeNamesTheFullType() {
    byte[] bytes = "{\"a\":1}".getBytes(UTF_8);
    assertThatThrownBy(() -> codec.decode(bytes, new TypeRef<List<User>>() {}))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("java.util.List<" + User.class.getName() + ">");
  }

  @Test
  void rejectsTrailingDataAfterTheValue() {
    byte[] bytes = "{\"name\":\"a\",\"age\":1} {}".getBytes(UTF_8);
    assertThatThrownBy(() -> codec.decode(bytes, TypeRef.of(User.class)))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void rejectsJsonNull() {
    assertThatThrownBy(() -> codec.decode("null".getBytes(UTF_8), TypeRef.of(User.class)))
        .isInstanceOf(CodecException.class)
        .hasMessage("cannot decode 4 bytes as " + User.class.getName() + ": the bytes encode null");
  }

  @Test
  void rejectsEmptyBytes() {
    assertThatThrownBy(() -> codec.decode(new byte[0], TypeRef.of(User.class)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(User.class.getName());
  }

  @Test
  void encodeFailureNamesTheValueType() {
    assertThatThrownBy(() -> codec.encode(new Object()))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith("cannot encode a value of type java.lang.Object: ");
  }

  // --- bytes from Redis never choose the class that is instantiated ---

  @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
  public static class ClassTyped {
    public int x;
  }

  /** Counts its instances: a decode that names it must never construct one. */
  public static class Gadget extends ClassTyped {
    static final AtomicInteger CREATED = new AtomicInteger();

    public Gadget() {
      CREATED.incrementAndGet();
    }
  }

  public static class Holder {
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.WRAPPER_ARRAY)
    public Object value = "";
  }

  @Test
  void doesNotInstantiateAClassNamedByAnAtClassProperty() {
    byte[] bytes = ("{\"@class\":\"" + Gadget.class.getName() + "\",\"x\":1}").getBytes(UTF_8);
    int before = Gadget.CREATED.get();
    assertThatThrownBy(() -> codec.decode(bytes, TypeRef.of(ClassTyped.class)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("use = NAME");
    assertThat(Gadget.CREATED.get()).isEqualTo(before);
  }

  @Test
  void doesNotInstantiateAJdkClassNamedInAWrapperArray() {
    byte[] bytes = "{\"value\":[\"java.net.URL\",\"http://example.com\"]}".getBytes(UTF_8);
    assertThatThrownBy(() -> codec.decode(bytes, TypeRef.of(Holder.class)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(Holder.class.getName() + ".value");
  }

  @Test
  void refusesToEncodeAClassNameTypedValueSoTheErrorComesOnWriteNotOnEveryRead() {
    assertThatThrownBy(() -> codec.encode(new Gadget()))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("@JsonTypeInfo(use = CLASS)")
        .hasMessageContaining("use @JsonTypeInfo(use = NAME) with @JsonSubTypes");
  }

  @Test
  void decodesAClassNameInAnObjectAsPlainData() {
    byte[] bytes = "[\"java.net.URL\",\"http://example.com\"]".getBytes(UTF_8);
    Object decoded = codec.decode(bytes, TypeRef.of(Object.class));
    assertThat(decoded).isEqualTo(List.of("java.net.URL", "http://example.com"));
  }

  @Test
  void turnsOffDefaultTypingOfAGivenMapper() {
    ObjectMapper unsafe = new ObjectMapper();
    unsafe.activateDefaultTyping(
        LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
    JacksonCodec fromUnsafe = JacksonCodec.using(unsafe);

    byte[] bytes = "[\"java.net.URL\",\"http://example.com\"]".getBytes(UTF_8);
    assertThat(fromUnsafe.decode(bytes, TypeRef.of(Object.class)))
        .isEqualTo(List.of("java.net.URL", "http://example.com"));
    assertThat(new String(fromUnsafe.encode(List.of("a")), UTF_8)).isEqualTo("[\"a\"]");
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Circle.class, name = "circle"),
    @JsonSubTypes.Type(value = Square.class, name = "square")
  })
  sealed interface Shape permits Circle, Square {}

  record Circle(double radius) implements Shape {}

  record Square(double side) implements Shape {}

  record Drawing(List<Shape> shapes) {}

  @Test
  void nameBasedPolymorphismWorks() {
    Shape shape = new Circle(1.5);
    assertThat(codec.decode(codec.encode(shape), TypeRef.of(Shape.class))).isEqualTo(shape);
    Drawing drawing = new Drawing(List.of(new Circle(1.5), new Square(2)));
    assertThat(codec.decode(codec.encode(drawing), TypeRef.of(Drawing.class))).isEqualTo(drawing);
  }

  @Test
  void nameBasedPolymorphismRejectsAClassNameAsTypeId() {
    byte[] bytes = "{\"@type\":\"java.net.URL\"}".getBytes(UTF_8);
    assertThatThrownBy(() -> codec.decode(bytes, TypeRef.of(Shape.class)))
        .isInstanceOf(CodecException.class);
  }

  // --- using(ObjectMapper) ---

  record Money(long cents) {}

  @Test
  void usingKeepsTheMappersOwnSettingsAndLeavesTheMapperUnchanged() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.setPropertyNamingStrategy(
        com.fasterxml.jackson.databind.PropertyNamingStrategies.UPPER_CAMEL_CASE);
    JacksonCodec fromMapper = JacksonCodec.using(mapper);

    assertThat(new String(fromMapper.encode(new Money(5)), UTF_8)).isEqualTo("{\"Cents\":5}");
    assertThat(
            fromMapper.decode("{\"Cents\":5,\"Extra\":1}".getBytes(UTF_8), TypeRef.of(Money.class)))
        .isEqualTo(new Money(5));
    assertThat(mapper.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)).isTrue();
    assertThat(mapper.getRegisteredModuleIds()).isEmpty();
  }

  @Test
  void usingRegistersJavaTimeSupport() {
    JacksonCodec fromMapper = JacksonCodec.using(new ObjectMapper());
    Instant now = Instant.parse("2024-01-01T00:00:00Z");
    assertThat(fromMapper.decode(fromMapper.encode(now), TypeRef.of(Instant.class))).isEqualTo(now);
  }

  @Test
  void usingRejectsAMapperForAnotherFormat() {
    JsonFactory smile =
        new JsonFactory() {
          private static final long serialVersionUID = 1L;

          @Override
          public String getFormatName() {
            return "Smile";
          }
        };
    assertThatThrownBy(() -> JacksonCodec.using(new ObjectMapper(smile)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JacksonCodec writes JSON, but the mapper writes Smile; pass a JSON mapper");
  }

  @Test
  void usingRejectsAMapperSubclassThatCannotBeCopied() {
    ObjectMapper custom =
        new ObjectMapper() {
          private static final long serialVersionUID = 1L;
        };
    assertThatThrownBy(() -> JacksonCodec.using(custom))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "mapper of type " + custom.getClass().getName() + " cannot be copied");
  }

  // --- TypeRef ---

  static <T> TypeRef<List<T>> listOf() {
    return new TypeRef<List<T>>() {};
  }

  @Test
  void typeRefRejectsATypeVariable() {
    assertThatThrownBy(JacksonCodecUnitTests::listOf)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "TypeRef must name a concrete type, but java.util.List<T> contains the type variable T");
  }

  @Test
  void typeRefsForTheSameTypeAreEqual() {
    assertThat(new TypeRef<String>() {}).isEqualTo(TypeRef.of(String.class));
    assertThat(new TypeRef<List<String>>() {}).isEqualTo(new TypeRef<List<String>>() {});
  }
}
