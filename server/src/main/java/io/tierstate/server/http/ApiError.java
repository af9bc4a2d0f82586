package io.tierstate.server.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answered as JSON, {@code {"error": {"code": "stable_code", "message": "..."}}}, with its
 * HTTP status. Throw it from any handler or filter; {@link HttpErrors} writes it. The code is
 * stable (clients branch on it), the message is for people and says what to do.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /**
   * Creates an error.
   *
   * @param status the HTTP status, 400-599
   * @param code a stable snake_case code such as {@code invalid_request}
   * @param message what went wrong and what to do, for people
   */
  public ApiError(int status, String code, String message) {
    super(message, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 400-599, was " + status);
    }
    this.status = status;
    this.code = code;
  }

  /** 400 with the given code. */
  public static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }

  /** 401 with the given code. */
  public static ApiError unauthorized(String code, String message) {
    return new ApiError(401, code, message);
  }

  /** 403 with the given code. */
  public static ApiError forbidden(String code, String message) {
    return new ApiError(403, code, message);
  }

  /** 404 {@code not_found}. */
  public static ApiError notFound(String message) {
    return new ApiError(404, "not_found", message);
  }

  /** 409 with the given code. */
  public static ApiError conflict(String code, String message) {
    return new ApiError(409, code, message);
  }

  /** 503 with the given code. */
  public static ApiError unavailable(String code, String message) {
    return new ApiError(503, code, message);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The stable code. */
  public String code() {
    return code;
  }

  /** The JSON body: {@code {"error": {"code": ..., "message": ...}}}. */
  public Map<String, Object> body() {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", getMessage());
    return Map.of("error", error);
  }
}
