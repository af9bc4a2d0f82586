package io.tierstate.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks every piece of text a request brings, once, before any handler sees it: the path, each
 * query parameter's name and value, and each header, for valid UTF-8 (percent-escapes decoded),
 * for control characters (U+0000-U+001F and U+007F-U+009F, which PostgreSQL, logs and terminals
 * mishandle; a NUL in a query made PostgreSQL fail and the request answer 500) and for length. A
 * violation is a 400 {@code invalid_text} (or {@code invalid_header} for a malformed {@code
 * If-Match} / {@code If-None-Match}) naming the part. JSON bodies get the same checks field by
 * field in {@link JsonBodies}. Stateless.
 */
public final class TextInput implements Handler {
  /** The longest path accepted, in bytes as sent. */
  static final int MAX_PATH = 2048;
  /** The longest query parameter name and value accepted, in characters. */
  static final int MAX_QUERY_NAME = 64;
  static final int MAX_QUERY_VALUE = 2048;
  /** An entity tag list: {@code *}, or tags such as {@code "abc"} or {@code W/"abc"} separated by commas. */
  private static final Pattern ETAG_LIST = Pattern.compile(
      "\\s*(\\*|(W/)?\"[\\x21\\x23-\\x7e\\x80-\\xff]*\"(\\s*,\\s*(W/)?\"[\\x21\\x23-\\x7e\\x80-\\xff]*\")*)\\s*");

  @Override
  public void handle(Context ctx) {
    String path = ctx.req().getRequestURI();
    if (path.length() > MAX_PATH) {
      throw new ApiError(414, "path_too_long", "the path is longer than " + MAX_PATH + " characters");
    }
    decoded(path, false, "the path");
    String query = ctx.queryString();
    if (query != null) {
      for (String pair : query.split("&", -1)) {
        int eq = pair.indexOf('=');
        String name = decoded(eq < 0 ? pair : pair.substring(0, eq), true, "a query parameter name");
        String shown = "query parameter '" + printable(name) + "'";
        if (name.length() > MAX_QUERY_NAME) {
          throw ApiError.badRequest("invalid_text", "a query parameter name is longer than " + MAX_QUERY_NAME
              + " characters");
        }
        String value = eq < 0 ? "" : decoded(pair.substring(eq + 1), true, shown);
        if (value.length() > MAX_QUERY_VALUE) {
          throw ApiError.badRequest("invalid_text", shown + " is longer than " + MAX_QUERY_VALUE + " characters");
        }
      }
    }
    for (String header : Collections.list(ctx.req().getHeaderNames())) {
      for (String value : Collections.list(ctx.req().getHeaders(header))) {
        int bad = controlCharacter(value, true);
        if (bad >= 0) {
          throw ApiError.badRequest("invalid_text", "header '" + header + "' contains the control character "
              + codePoint(value.charAt(bad)));
        }
      }
    }
    checkEtags(ctx, "If-Match");
    checkEtags(ctx, "If-None-Match");
  }

  /**
   * Throws 400 {@code invalid_text} naming {@code field} if {@code text} contains a control
   * character; for JSON string values, which the parser has already decoded.
   */
  public static void requireNoControlCharacters(String text, String field) {
    int bad = controlCharacter(text, false);
    if (bad >= 0) {
      throw ApiError.badRequest("invalid_text", field + " contains the control character "
          + codePoint(text.charAt(bad)) + "; remove it");
    }
  }

  private static void checkEtags(Context ctx, String header) {
    String value = ctx.header(header);
    if (value != null && !ETAG_LIST.matcher(value).matches()) {
      throw ApiError.badRequest("invalid_header", "header '" + header + "' must be * or a list of entity tags "
          + "such as \"Yl8tKq0cZ3j1mWm0n0f3Xw\" (with the quotes), as an ETag header gave them");
    }
  }

  /** The percent-decoded text, checked for UTF-8 and control characters. */
  private static String decoded(String raw, boolean form, String field) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int value = i + 2 < raw.length() ? hex(raw.charAt(i + 1)) << 4 | hex(raw.charAt(i + 2)) : -1;
        if (value < 0) {
          throw ApiError.badRequest("invalid_text", field + " has a malformed percent-escape");
        }
        bytes.write(value);
        i += 2;
      } else if (c == '+' && form) {
        bytes.write(' ');
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw ApiError.badRequest("invalid_text", field + " is not valid UTF-8");
    }
    requireNoControlCharacters(text, field);
    return text;
  }

  private static int hex(char c) {
    int digit = Character.digit(c, 16);
    return digit < 0 ? -0x1000 : digit;
  }

  /** The index of the first control character, or -1; a header may contain tabs. */
  private static int controlCharacter(CharSequence text, boolean tabAllowed) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 || (c >= 0x7f && c <= 0x9f)) && !(tabAllowed && c == '\t')) {
        return i;
      }
    }
    return -1;
  }

  private static String codePoint(char c) {
    return String.format(Locale.ROOT, "U+%04X", (int) c);
  }

  /** A name for an error message: control characters are already refused, so it is safe to show; cut. */
  private static String printable(@Nullable String name) {
    String value = name == null ? "" : name;
    return value.length() <= 60 ? value : value.substring(0, 60) + "...";
  }
}
