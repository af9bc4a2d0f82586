package io.tierstate.jcache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tierstate.codec.Codec;
import io.tierstate.codec.CodecException;
import io.tierstate.codec.TypeRef;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A JSON codec for plain data trees whose exact types matter: maps, lists, sets and arrays of JDK
 * value types (numbers, strings, booleans, characters, UUIDs, dates and times, byte arrays), each
 * leaf tagged from a closed set so that a {@code Long} comes back a {@code Long}, not an {@code
 * Integer}. No tag names a class: the maps, lists and sets it returns are {@link HashMap}, {@link
 * ArrayList} and {@link LinkedHashSet}. Made for Object-typed caches such as Hibernate's structured
 * second-level cache entries ({@code hibernate.cache.use_structured_entries=true}); select it with
 * {@code TIERSTATE_JCACHE_CODEC=io.tierstate.jcache.DataTreeCodec}.
 *
 * <p>Thread-safe.
 */
public final class DataTreeCodec implements Codec {
  /** This codec's id in stored entries. */
  public static final byte ID = 17;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Creates the codec. */
  public DataTreeCodec() {}

  @Override
  public byte id() {
    return ID;
  }

  @Override
  public byte[] encode(Object value) {
    try {
      return MAPPER.writeValueAsBytes(toNode(value));
    } catch (JsonProcessingException e) {
      throw new CodecException("DataTreeCodec cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public <T> T decode(byte[] bytes, TypeRef<T> type) {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new CodecException("DataTreeCodec cannot read JSON: " + e.getMessage(), e);
    }
    Object value = fromNode(node);
    Class<?> raw = raw(type.type());
    if (value == null || !box(raw).isInstance(value)) {
      throw new CodecException("DataTreeCodec read a " + (value == null ? "null" : value.getClass().getName())
          + ", not a " + type);
    }
    @SuppressWarnings("unchecked") // checked just above against the raw type
    T result = (T) value;
    return result;
  }

  @SuppressWarnings("JavaUtilDate") // java.util.Date is a value type callers still cache
  private static JsonNode toNode(@Nullable Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof String s) {
      return NODES.textNode(s);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Integer i) {
      return tagged("i", NODES.numberNode(i));
    }
    if (value instanceof Long l) {
      return tagged("l", NODES.numberNode(l));
    }
    if (value instanceof Short s) {
      return tagged("s", NODES.numberNode(s));
    }
    if (value instanceof Byte b) {
      return tagged("b", NODES.numberNode(b));
    }
    if (value instanceof Double d) {
      return tagged("d", NODES.numberNode(d));
    }
    if (value instanceof Float f) {
      return tagged("f", NODES.numberNode(f));
    }
    if (value instanceof BigDecimal d) {
      return tagged("D", NODES.textNode(d.toString()));
    }
    if (value instanceof BigInteger i) {
      return tagged("I", NODES.textNode(i.toString()));
    }
    if (value instanceof Character c) {
      return tagged("c", NODES.textNode(c.toString()));
    }
    if (value instanceof UUID u) {
      return tagged("u", NODES.textNode(u.toString()));
    }
    if (value instanceof Instant t) {
      return tagged("t", NODES.textNode(t.toString()));
    }
    if (value instanceof LocalDate d) {
      return tagged("ld", NODES.textNode(d.toString()));
    }
    if (value instanceof LocalDateTime d) {
      return tagged("ldt", NODES.textNode(d.toString()));
    }
    if (value instanceof Date d && value.getClass() == Date.class) {
      return tagged("dt", NODES.numberNode(d.getTime()));
    }
    if (value instanceof byte[] bytes) {
      return tagged("B", NODES.textNode(Base64.getEncoder().encodeToString(bytes)));
    }
    if (value instanceof Map<?, ?> map) {
      ArrayNode pairs = NODES.arrayNode();
      map.forEach((k, v) -> pairs.add(toNode(k)).add(toNode(v)));
      return tagged("M", pairs);
    }
    if (value instanceof Set<?> set) {
      return tagged("S", elements(set));
    }
    if (value instanceof Collection<?> list) {
      return tagged("L", elements(list));
    }
    if (value instanceof Object[] array) {
      return tagged("A", elements(java.util.Arrays.asList(array)));
    }
    throw new CodecException("DataTreeCodec cannot encode a " + value.getClass().getName()
        + ": it holds maps, lists, sets, arrays and JDK value types only");
  }

  private static ArrayNode elements(Collection<?> values) {
    ArrayNode array = NODES.arrayNode();
    for (Object element : values) {
      array.add(toNode(element));
    }
    return array;
  }

  private static ArrayNode tagged(String tag, JsonNode payload) {
    return NODES.arrayNode().add(tag).add(payload);
  }

  @SuppressWarnings("JavaUtilDate") // java.util.Date is a value type callers still cache
  private static @Nullable Object fromNode(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (!node.isArray() || node.size() != 2 || !node.get(0).isTextual()) {
      throw new CodecException("DataTreeCodec read a value it did not write: " + abbreviate(node));
    }
    String tag = node.get(0).textValue();
    JsonNode payload = node.get(1);
    try {
      return switch (tag) {
        case "i" -> payload.intValue();
        case "l" -> payload.longValue();
        case "s" -> payload.shortValue();
        case "b" -> (byte) payload.intValue();
        case "d" -> payload.doubleValue();
        case "f" -> payload.floatValue();
        case "D" -> new BigDecimal(payload.textValue());
        case "I" -> new BigInteger(payload.textValue());
        case "c" -> payload.textValue().charAt(0);
        case "u" -> UUID.fromString(payload.textValue());
        case "t" -> Instant.parse(payload.textValue());
        case "ld" -> LocalDate.parse(payload.textValue());
        case "ldt" -> LocalDateTime.parse(payload.textValue());
        case "dt" -> new Date(payload.longValue());
        case "B" -> Base64.getDecoder().decode(payload.textValue());
        case "M" -> {
          Map<@Nullable Object, @Nullable Object> map = new HashMap<>();
          for (int i = 0; i + 1 < payload.size(); i += 2) {
            map.put(fromNode(payload.get(i)), fromNode(payload.get(i + 1)));
          }
          yield map;
        }
        case "S" -> {
          Set<@Nullable Object> set = new LinkedHashSet<>();
          payload.forEach(element -> set.add(fromNode(element)));
          yield set;
        }
        case "L" -> {
          List<@Nullable Object> list = new ArrayList<>();
          payload.forEach(element -> list.add(fromNode(element)));
          yield list;
        }
        case "A" -> {
          @Nullable Object[] array = new Object[payload.size()];
          for (int i = 0; i < array.length; i++) {
            array[i] = fromNode(payload.get(i));
          }
          yield array;
        }
        default -> throw new CodecException("DataTreeCodec read an unknown tag '" + tag + "'");
      };
    } catch (RuntimeException e) {
      if (e instanceof CodecException ce) {
        throw ce;
      }
      throw new CodecException("DataTreeCodec read a malformed '" + tag + "' value: " + abbreviate(payload), e);
    }
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() <= 60 ? text : text.substring(0, 60) + "...";
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return raw(p.getRawType());
    }
    return Object.class;
  }

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return switch (type.getName()) {
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "short" -> Short.class;
      case "byte" -> Byte.class;
      case "double" -> Double.class;
      case "float" -> Float.class;
      case "boolean" -> Boolean.class;
      case "char" -> Character.class;
      default -> Object.class;
    };
  }
}
