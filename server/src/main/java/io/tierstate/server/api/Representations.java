package io.tierstate.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Writes JSON representations with a strong {@code ETag}: the SHA-256 of the exact bytes sent
 * (truncated to 128 bits, base64url), so two nodes answering from different tiers give the same
 * tag for the same state. A GET whose {@code If-None-Match} names the current tag gets 304 with no
 * body. {@link #etagOf} gives the same tag for {@code If-Match} checks on writes.
 *
 * <p>Thread-safe.
 */
public final class Representations {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final ObjectMapper json;

  /** Creates the writer over the server's JSON mapper (the one responses are written with). */
  public Representations(ObjectMapper json) {
    this.json = json;
  }

  /** The JSON bytes of {@code value}, as they are sent. */
  public byte[] bytes(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** The strong ETag of {@code value}'s representation, quotes included. */
  public String etagOf(Object value) {
    return strongEtag(bytes(value));
  }

  /**
   * Answers {@code value} as JSON with status {@code status}, its ETag and {@code Cache-Control:
   * private, no-cache} (browsers may keep it but must revalidate); a safe request whose {@code
   * If-None-Match} matches gets 304 instead.
   */
  public void send(Context ctx, int status, Object value) {
    send(ctx, status, value, "private, no-cache");
  }

  /** Like {@link #send(Context, int, Object)} with another {@code Cache-Control}. */
  public void send(Context ctx, int status, Object value, String cacheControl) {
    byte[] body = bytes(value);
    String etag = strongEtag(body);
    ctx.header("ETag", etag);
    ctx.header("Cache-Control", cacheControl);
    String method = ctx.method().name();
    if ((method.equals("GET") || method.equals("HEAD")) && matches(ctx.header("If-None-Match"), etag)) {
      ctx.status(304);
      return;
    }
    ctx.status(status).contentType("application/json").result(body);
  }

  /**
   * Whether an {@code If-None-Match} or {@code If-Match} header value names {@code etag}: {@code *}
   * or a comma-separated list of tags; weak tags ({@code W/"..."}) compare by their opaque part.
   */
  public static boolean matches(@Nullable String header, String etag) {
    if (header == null || header.isBlank()) {
      return false;
    }
    for (String candidate : header.split(",", -1)) {
      String tag = candidate.strip();
      if (tag.equals("*")) {
        return true;
      }
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The strong ETag of exactly these bytes, quotes included: the first 128 bits of their SHA-256,
   * base64url. For bodies that are not JSON representations (the console's files).
   */
  public static String strongEtag(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + B64.encodeToString(Arrays.copyOf(digest, 16)) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK provides SHA-256", e);
    }
  }
}
