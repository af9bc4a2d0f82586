package io.tierstate.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The cached value of every benchmark: a small record that Jackson writes as exactly {@value
 * #JSON_BYTES} bytes of JSON, a typical size for a cached row or permission set.
 *
 * @param id the row id
 * @param name a display name
 * @param email an e-mail address
 * @param plan the subscription plan
 * @param seats a count
 * @param active a flag
 * @param roles a short list
 * @param note free text, padded so that the JSON has its target size
 */
public record Value(
    long id,
    String name,
    String email,
    String plan,
    int seats,
    boolean active,
    List<String> roles,
    String note) {

  /** The size of every value written as JSON. */
  public static final int JSON_BYTES = 256;

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /**
   * The value for row {@code id}: always the same for the same id, {@value #JSON_BYTES} bytes as
   * JSON.
   */
  public static Value of(long id) {
    Value unpadded = unpadded(id, "");
    int missing = JSON_BYTES - json(unpadded).length;
    if (missing < 0) {
      throw new IllegalArgumentException(
          "value " + id + " is " + -missing + " bytes over " + JSON_BYTES + " before padding");
    }
    return unpadded(id, "x".repeat(missing));
  }

  private static Value unpadded(long id, String note) {
    return new Value(
        id,
        "User " + id,
        "user" + id + "@example.com",
        id % 3 == 0 ? "enterprise" : "team",
        (int) (id % 250) + 1,
        id % 7 != 0,
        List.of("tickets:read", "tickets:write", "reports:read"),
        note);
  }

  /** This value as UTF-8 JSON, written by a plain Jackson mapper. */
  static byte[] json(Value value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
