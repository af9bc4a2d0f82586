package io.tierstate.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Refresh tokens: {@code <session id>~<secret>}, the secret 256 random bits. The session keeps
 * only the SHA-256 of the current secret (attribute {@value #ATTRIBUTE}); each refresh replaces
 * it. A token whose session is live but whose secret is not the current one is an old, already
 * rotated token presented again, a sign that it was stolen: the session is revoked.
 *
 * <p>Thread-safe.
 */
final class RefreshTokens {
  /** The session attribute holding the current secret's hash. */
  static final String ATTRIBUTE = "refresh";

  private static final char SEPARATOR = '~';
  private static final int SECRET_BYTES = 32;
  private static final int MAX_LENGTH = 512;

  private final SecureRandom random = new SecureRandom();

  /** A new secret and its hash. */
  record Secret(String value, String hash) {
    String token(String sessionId) {
      return sessionId + SEPARATOR + value;
    }

    @Override
    public String toString() {
      return "Secret[****]";
    }
  }

  /** A token split into its session id and secret. */
  record Parsed(String sessionId, String secret) {
    @Override
    public String toString() {
      return "Parsed[****]";
    }
  }

  Secret newSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    random.nextBytes(bytes);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return new Secret(value, hash(value));
  }

  /** The token's parts, or null if it is not shaped like a refresh token. */
  static @Nullable Parsed parse(@Nullable String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_LENGTH) {
      return null;
    }
    int at = token.lastIndexOf(SEPARATOR);
    if (at <= 0 || at == token.length() - 1) {
      return null;
    }
    return new Parsed(token.substring(0, at), token.substring(at + 1));
  }

  /** Whether {@code secret} is the one whose hash is {@code storedHash}; constant time. */
  static boolean matches(String secret, @Nullable String storedHash) {
    if (storedHash == null) {
      return false;
    }
    return MessageDigest.isEqual(hash(secret).getBytes(StandardCharsets.US_ASCII),
        storedHash.getBytes(StandardCharsets.US_ASCII));
  }

  static String hash(String value) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
