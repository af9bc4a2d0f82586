package io.tierstate.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * Strict JSON request bodies: a malformed body, an unknown field, a value of the wrong type or a
 * missing body is a 400 {@link ApiError} with a code and a message naming the problem, never a
 * 500. Records with nullable components are the intended targets; check required fields after
 * reading.
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

  private JsonBodies() {}

  /**
   * The server's JSON mapper: unknown properties fail, dates as ISO-8601 strings. Use it for
   * responses too ({@code ctx.json(...)} does).
   */
  public static ObjectMapper newMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  /**
   * Reads the request body as {@code type}.
   *
   * @throws ApiError 400 {@code missing_body}, {@code malformed_json}, {@code unknown_field} or
   *     {@code invalid_field}; 413 {@code body_too_large} when over the size limit
   */
  public static <T> T read(Context ctx, Class<T> type) {
    String body = boundedBody(ctx);
    if (body.isBlank()) {
      throw ApiError.badRequest("missing_body", "the request needs a JSON body");
    }
    ObjectMapper mapper = ctx.appData(MAPPER);
    try {
      T value = mapper.readValue(body, type);
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
    } catch (JsonProcessingException e) {
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
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ApiError.badRequest("unreadable_body", "the request body could not be read");
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
