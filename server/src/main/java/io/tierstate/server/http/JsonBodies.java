package io.tierstate.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.javalin.config.JavalinConfig;
import io.javalin.config.Key;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Strict JSON request bodies: a body that is not {@code application/json} is 415; one that is not
 * UTF-8, is malformed, repeats a field, nests deeper than {@value #MAX_DEPTH} levels, has an
 * unknown field, a value of the wrong type (no coercion: {@code 42} is no string, {@code "true"}
 * no boolean) or a string with a control character, or is missing, is a 400 {@link ApiError} with
 * a code and a message naming the problem, never a 500. Records with nullable components are the
 * intended targets; check required fields after reading.
 *
 * <pre>{@code
 * LoginRequest body = JsonBodies.read(ctx, LoginRequest.class);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JsonBodies {
  private static final Key<ObjectMapper> MAPPER = new Key<>("tierstate.json");
  private static final Key<Long> MAX_BYTES = new Key<>("tierstate.max-body-bytes");
  /** The deepest nesting of arrays and objects accepted; no body of this API needs more than 3. */
  static final int MAX_DEPTH = 16;

  private JsonBodies() {}

  /**
   * The server's JSON mapper: unknown properties fail, dates as ISO-8601 strings. Use it for
   * responses too ({@code ctx.json(...)} does).
   */
  public static ObjectMapper newMapper() {
    JsonMapper mapper = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .build();
    mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    // Jackson turns 42 or true into "42" / "true" for a String by default; a client that sends a
    // number where text belongs has a bug worth reporting.
    mapper.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }

  /**
   * Reads the request body as {@code type}.
   *
   * @throws ApiError 400 {@code missing_body}, {@code malformed_json}, {@code invalid_encoding},
   *     {@code duplicate_field}, {@code unknown_field}, {@code invalid_field} or {@code
   *     invalid_text}; 413 {@code body_too_large} when over the size limit; 415 {@code
   *     unsupported_media_type} when the body is not {@code application/json}
   */
  public static <T> T read(Context ctx, Class<T> type) {
    requireJson(ctx.req().getContentType());
    String body = boundedBody(ctx);
    if (body.isBlank()) {
      throw ApiError.badRequest("missing_body", "the request needs a JSON body");
    }
    ObjectMapper mapper = ctx.appData(MAPPER);
    try {
      JsonNode tree = mapper.readTree(body);
      if (tree.isObject()) {
        checkText(tree, "");
      }
      T value = mapper.treeToValue(tree, type);
      if (value == null) {
        throw ApiError.badRequest("missing_body", "the request needs a JSON object, not null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw ApiError.badRequest("unknown_field", "unknown field '" + e.getPropertyName()
          + "'; known fields: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
              .collect(Collectors.joining(", ")));
    } catch (InvalidFormatException e) {
      throw ApiError.badRequest("invalid_field", "field '" + path(e) + "' has an invalid value");
    } catch (MismatchedInputException e) {
      if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
        throw ApiError.badRequest("malformed_json", "the body has more than one JSON value");
      }
      String field = path(e);
      throw ApiError.badRequest("invalid_field", field.isEmpty()
          ? "the body must be a JSON object" : "field '" + field + "' has the wrong type");
    } catch (StreamConstraintsException e) {
      throw ApiError.badRequest("malformed_json", "the body nests arrays and objects deeper than " + MAX_DEPTH
          + " levels");
    } catch (JsonProcessingException e) {
      if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
        throw ApiError.badRequest("duplicate_field", "the body gives a field twice: "
            + e.getOriginalMessage().substring("Duplicate field ".length()) + "; give each field once");
      }
      throw ApiError.badRequest("malformed_json", "the body is not valid JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    }
  }

  /**
   * The body, read up to the configured maximum: Javalin checks Content-Length, but a chunked
   * body has none and would be read whole into memory.
   */
  private static String boundedBody(Context ctx) {
    long max = ctx.appData(MAX_BYTES);
    if (ctx.req().getContentLengthLong() > max) {
      throw tooLarge(max);
    }
    try {
      byte[] bytes = ctx.req().getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 1, max) + 1);
      if (bytes.length > max) {
        throw tooLarge(max);
      }
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw ApiError.badRequest("invalid_encoding", "the body is not valid UTF-8");
      }
    } catch (IOException e) {
      throw ApiError.badRequest("unreadable_body", "the request body could not be read");
    }
  }

  /** {@code application/json}, with no charset or UTF-8 (RFC 8259 has no other). */
  private static void requireJson(@Nullable String contentType) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
    int semicolon = type.indexOf(';');
    String media = (semicolon < 0 ? type : type.substring(0, semicolon)).strip();
    String parameters = semicolon < 0 ? "" : type.substring(semicolon + 1).replace(" ", "");
    if (!media.equals("application/json") || !(parameters.isEmpty() || parameters.equals("charset=utf-8"))) {
      throw new ApiError(415, "unsupported_media_type", "the body must be sent with 'Content-Type: application/json'"
          + (type.isEmpty() ? "" : ", not '" + (type.length() <= 60 ? type : type.substring(0, 60) + "...") + "'"));
    }
  }

  /** Every field name and string value of {@code node}, checked for control characters; {@code path} names it. */
  private static void checkText(JsonNode node, String path) {
    if (node.isTextual()) {
      TextInput.requireNoControlCharacters(node.textValue(), "field '" + path + "'");
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        TextInput.requireNoControlCharacters(field.getKey(), "a field name");
        checkText(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkText(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private static ApiError tooLarge(long max) {
    return new ApiError(413, "body_too_large", "the request body is larger than " + max + " bytes");
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /**
   * Makes {@code mapper} the app's JSON mapper, for {@code ctx.json(...)} and for {@link #read};
   * call it after setting {@code config.http.maxRequestSize}, the limit {@link #read} enforces.
   */
  public static void install(JavalinConfig config, ObjectMapper mapper) {
    config.jsonMapper(new JavalinJackson(mapper, config.useVirtualThreads));
    config.appData(MAPPER, mapper);
    config.appData(MAX_BYTES, config.http.maxRequestSize);
  }
}
