package io.tierstate.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes passwords with Argon2id (BouncyCastle, pure Java) into the PHC string format, {@code
 * $argon2id$v=19$m=19456,t=2,p=1$salt$hash}, with the OWASP-recommended parameters (19 MiB, 2
 * iterations, 1 lane). {@link #verify} reads the parameters from the stored string, so they can be
 * raised later without invalidating existing hashes.
 *
 * <p>Thread-safe.
 */
public final class PasswordHasher {
  /** Memory in KiB. */
  public static final int MEMORY_KIB = 19_456;
  /** Iterations. */
  public static final int ITERATIONS = 2;
  /** Lanes. */
  public static final int PARALLELISM = 1;

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Pattern PHC = Pattern.compile(
      "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODE = Base64.getDecoder();

  private final SecureRandom random = new SecureRandom();
  private final String dummyHash;

  /** Creates a hasher; computes one hash of a random password for {@link #verifyDummy}. */
  public PasswordHasher() {
    byte[] randomPassword = new byte[24];
    random.nextBytes(randomPassword);
    this.dummyHash = hash(B64.encodeToString(randomPassword));
  }

  /** Hashes {@code password} with a fresh random salt. */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
        + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /**
   * Whether {@code password} matches {@code encoded}; false for a string that is not an Argon2id
   * PHC string. Compares in constant time.
   */
  public boolean verify(String password, String encoded) {
    Matcher m = PHC.matcher(encoded);
    if (!m.matches()) {
      return false;
    }
    try {
      byte[] salt = B64_DECODE.decode(m.group(4));
      byte[] expected = B64_DECODE.decode(m.group(5));
      byte[] actual = derive(password, salt, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), expected.length);
      return MessageDigest.isEqual(expected, actual);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Spends the time of one verification and returns false: called for unknown e-mail addresses so
   * that the response time does not tell which addresses have an account.
   */
  public boolean verifyDummy(String password) {
    verify(password, dummyHash);
    return false;
  }

  private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism,
      int length) {
    Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
