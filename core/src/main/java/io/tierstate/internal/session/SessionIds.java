package io.tierstate.internal.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Session ids and the names Redis knows them by.
 *
 * <p>A raw id is {@code <secret>.<slot>}: 43 characters of URL-safe base64 carrying 256 bits from
 * {@link SecureRandom}, a dot, and the user's 32-hex-digit slot tag (a SHA-256 prefix of tenant and
 * user id; no personal data). The slot tag lets every operation derive the Redis key from the id
 * alone while keeping all of one user's sessions in one Redis Cluster hash slot. Redis stores only
 * the SHA-256 of the whole raw id, so the id cannot be recovered from Redis, and changing the slot
 * part of an id changes its hash and finds nothing.
 *
 * <p>A session's <em>handle</em> names it to its owner (a "your devices" page) without being a
 * credential: 128 bits of the SHA-256 of the id's hash, in URL-safe base64. It is derived from the
 * hash, so it is known without the raw id, and it is not a Redis key name.
 */
public final class SessionIds {
  static final int SECRET_LENGTH = 43;
  static final int SLOT_LENGTH = 32;
  static final int MAX_LENGTH = SECRET_LENGTH + 1 + SLOT_LENGTH;
  static final int HANDLE_LENGTH = 22;
  private static final String HANDLE_DOMAIN = "tierstate-session-handle\u0000";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
  private static final HexFormat HEX = HexFormat.of();

  /** A parsed id: the slot tag of its user and the SHA-256 hex of the whole id. */
  record Parsed(String slot, String hash) {}

  private SessionIds() {}

  /** The slot tag of a user. */
  public static String slot(String tenantId, String userId) {
    return sha256Hex(tenantId + "\u0000" + userId).substring(0, SLOT_LENGTH);
  }

  /** A fresh raw id for a user's slot. */
  static String generate(String slot) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return BASE64.encodeToString(secret) + "." + slot;
  }

  /** The parts of a raw id, or null if it is not shaped like an id this class issues. */
  static @Nullable Parsed parse(String id) {
    if (id.length() != MAX_LENGTH || id.charAt(SECRET_LENGTH) != '.') {
      return null;
    }
    for (int i = 0; i < SECRET_LENGTH; i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return null;
      }
    }
    for (int i = SECRET_LENGTH + 1; i < MAX_LENGTH; i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return new Parsed(id.substring(SECRET_LENGTH + 1), sha256Hex(id));
  }

  /** The handle of the session whose id has this SHA-256 hex {@code hash}. */
  static String handle(String hash) {
    return BASE64.encodeToString(Arrays.copyOf(sha256(HANDLE_DOMAIN + hash), 16));
  }

  static String sha256Hex(String text) {
    return HEX.formatHex(sha256(text));
  }

  private static byte[] sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return digest.digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
