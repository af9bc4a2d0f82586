package io.tierstate.keys;

import org.jspecify.annotations.Nullable;

/**
 * The one place where cache keys, invalidation patterns and tags are validated, and where
 * tenant-isolated key names are built.
 *
 * <p>A valid key is 1 to {@value #MAX_KEY_LENGTH} characters of valid Unicode without whitespace,
 * control characters or reserved characters. Reserved are the braces {@code { }}, which mark the
 * Redis Cluster hash tags that Tierstate adds itself, and the glob characters {@code * ? [ ] \},
 * which would let a key act as a pattern when it is invalidated. Patterns may use {@code *} and
 * {@code ?}.
 *
 * <p>The builders make tenant isolation a property of the key's shape:
 *
 * <pre>{@code
 * CacheKeys.tenant(42).user("u1").field("permissions")   // "tenant:42:user:u1:permissions"
 * CacheKeys.tenant(42).entity("ticket", 7)                // "tenant:42:ticket:7"
 * CacheKeys.tenant(42).list("ticket", Map.of("status", "open"))  // "tenant:42:ticket:list:<hash>"
 * CacheKeys.tenant(42).pattern()                          // "tenant:42:*"
 * CacheKeys.global("countries").part("en-GB").key()      // "cache:global:countries:en-GB"
 * }</pre>
 *
 * <p>Every segment (tenant id, user id, type, id, field, part, filter name) must be a non-empty
 * string that is itself valid in a key and contains no {@code ':'}. A tenant id such as {@code
 * "1:user:2"} is therefore refused, and no key built for one tenant starts with another tenant's
 * {@link TenantKeys#prefix() prefix}. Objects are rendered with {@link String#valueOf(Object)}, so
 * {@code tenant(42)} and {@code tenant("42")} are the same tenant; an object whose class does not
 * override {@code toString()} is refused, since its rendering would differ between nodes.
 *
 * <p>Invalid input, including {@code null}, is reported with an {@link IllegalArgumentException}
 * whose message names the input (quoted, with invisible characters escaped and cut to 80
 * characters), the problem and its index.
 *
 * <p>This class has static methods only and is thread-safe.
 */
public final class CacheKeys {

  /** The maximum length of a key or pattern, in UTF-16 characters. */
  public static final int MAX_KEY_LENGTH = 512;

  /** The maximum length of a tag, in UTF-16 characters. */
  public static final int MAX_TAG_LENGTH = 256;

  /** The maximum length of a cache region's name. */
  public static final int MAX_REGION_LENGTH = 64;

  private static final String REGION_TAG_PREFIX = "region:";

  private static final int SHOWN_LENGTH = 80;
  private static final String GLOBAL_PREFIX = "cache:global:";

  // ASCII characters that may appear anywhere; everything else is looked at one by one.
  private static final boolean[] PLAIN_ASCII = new boolean[128];

  static {
    for (char c = '!'; c <= '~'; c++) {
      PLAIN_ASCII[c] = true;
    }
    for (char c : "{}*?[]\\:".toCharArray()) {
      PLAIN_ASCII[c] = false;
    }
  }

  private CacheKeys() {}

  /**
   * Returns {@code key} if it is a valid cache key.
   *
   * @throws IllegalArgumentException if {@code key} is null or empty, is longer than {@value
   *     #MAX_KEY_LENGTH} characters, or contains whitespace, a control character, an unpaired
   *     surrogate or one of the reserved characters {@code { } * ? [ ] \}
   */
  public static String requireValidKey(@Nullable String key) {
    return requireValid("key", key, MAX_KEY_LENGTH, Rules.KEY);
  }

  /**
   * Returns {@code pattern} if it is a valid invalidation pattern: a key that may also use the glob
   * characters {@code *} (any run of characters) and {@code ?} (one character).
   *
   * @throws IllegalArgumentException if {@code pattern} is null or empty, is longer than {@value
   *     #MAX_KEY_LENGTH} characters, or contains whitespace, a control character, an unpaired
   *     surrogate or one of the reserved characters {@code { } [ ] \}
   */
  public static String requireValidPattern(@Nullable String pattern) {
    return requireValid("pattern", pattern, MAX_KEY_LENGTH, Rules.PATTERN);
  }

  /**
   * Returns {@code tag} if it is a valid tag: the rules of a key, at most {@value #MAX_TAG_LENGTH}
   * characters.
   *
   * @throws IllegalArgumentException if {@code tag} is null or empty, is longer than {@value
   *     #MAX_TAG_LENGTH} characters, or contains whitespace, a control character, an unpaired
   *     surrogate or one of the reserved characters {@code { } * ? [ ] \}
   */
  public static String requireValidTag(@Nullable String tag) {
    return requireValid("tag", tag, MAX_TAG_LENGTH, Rules.KEY);
  }

  /**
   * Returns {@code region} if it is a valid cache region name: 1 to {@value #MAX_REGION_LENGTH} of
   * the characters {@code a-z A-Z 0-9 . _ -}. Region names become meter tags and part of the
   * region's tag ({@link #regionTag}), hence the small alphabet.
   *
   * @throws IllegalArgumentException if {@code region} is null or empty, longer than {@value
   *     #MAX_REGION_LENGTH} characters, or has a character outside that alphabet
   */
  public static String requireValidRegion(@Nullable String region) {
    if (region == null) {
      throw new IllegalArgumentException("region must not be null");
    }
    if (region.isEmpty()) {
      throw new IllegalArgumentException("region must not be empty");
    }
    if (region.length() > MAX_REGION_LENGTH) {
      throw new IllegalArgumentException(tooLong("region", region, MAX_REGION_LENGTH));
    }
    for (int i = 0; i < region.length(); i++) {
      char c = region.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!allowed) {
        throw new IllegalArgumentException(
            "region "
                + quote(region)
                + " contains "
                + codePoint(c)
                + " at index "
                + i
                + ": a region name may use only a-z A-Z 0-9 . _ -");
      }
    }
    return region;
  }

  /**
   * The tag that every entry of a cache region carries, {@code "region:" + region}: invalidating it
   * clears the region on every node ({@link io.tierstate.cache.Invalidator#invalidateRegion}).
   *
   * @throws IllegalArgumentException if {@code region} is not a valid region name
   */
  public static String regionTag(String region) {
    return REGION_TAG_PREFIX + requireValidRegion(region);
  }

  /**
   * Starts the keys of one tenant, whose id is rendered with {@link String#valueOf(Object)}.
   *
   * @throws IllegalArgumentException if the rendered id is empty, contains {@code ':'} or a
   *     character that is not valid in a key, or if {@code tenantId} is null or of a class that
   *     does not override {@code toString()}
   */
  public static TenantKeys tenant(Object tenantId) {
    return new TenantKeys(requireSegment("tenant id", tenantId));
  }

  /**
   * Starts the keys of a cache shared by all tenants: {@code "cache:global:" + name}, to which
   * {@link GlobalKeys#part} appends segments.
   *
   * @throws IllegalArgumentException if {@code name} is null or empty, or contains {@code ':'} or a
   *     character that is not valid in a key
   */
  public static GlobalKeys global(String name) {
    return new GlobalKeys(GLOBAL_PREFIX + requireSegment("global cache name", name));
  }

  /**
   * Renders and checks one segment of a built key.
   *
   * @throws IllegalArgumentException if the segment is not valid
   */
  static String requireSegment(String what, @Nullable Object value) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    String segment;
    if (value instanceof String string) {
      segment = string;
    } else {
      requireStableToString(what, value);
      segment = value.toString();
    }
    return requireValid(what, segment, MAX_KEY_LENGTH, Rules.SEGMENT);
  }

  /**
   * Refuses values whose {@code toString()} is {@code Object}'s, which prints an identity hash that
   * differs from one JVM to the next.
   */
  static void requireStableToString(String what, Object value) {
    if (!HAS_OWN_TO_STRING.get(value.getClass())) {
      throw new IllegalArgumentException(
          what
              + " of type "
              + value.getClass().getName()
              + " does not override toString(), so its key would differ on every node;"
              + " pass a string or a number");
    }
  }

  private static final ClassValue<Boolean> HAS_OWN_TO_STRING =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          try {
            return type.getMethod("toString").getDeclaringClass() != Object.class;
          } catch (NoSuchMethodException e) {
            throw new AssertionError("every class has toString()", e);
          }
        }
      };

  /**
   * Checks the length of a key that a builder assembled from valid segments.
   *
   * @throws IllegalArgumentException if the key is longer than {@link #MAX_KEY_LENGTH}
   */
  static String requireBuiltKeyLength(String key) {
    if (key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(tooLong("key", key, MAX_KEY_LENGTH));
    }
    return key;
  }

  private enum Rules {
    KEY,
    PATTERN,
    SEGMENT
  }

  private static String requireValid(
      String what, @Nullable String value, int maxLength, Rules rules) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(tooLong(what, value, maxLength));
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 128 && PLAIN_ASCII[c]) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++; // a valid pair; no supplementary character is whitespace or a control character
        continue;
      }
      String problem = problem(c, i, rules);
      if (problem != null) {
        throw new IllegalArgumentException(what + " " + quote(value) + " " + problem);
      }
    }
    return value;
  }

  /**
   * What is wrong with a character outside the plain ASCII set, phrased to follow the quoted input,
   * or null if nothing is.
   */
  private static @Nullable String problem(char c, int index, Rules rules) {
    String reservedBecause =
        switch (c) {
          case ':' -> null;
          case '*', '?' ->
              rules == Rules.PATTERN
                  ? null
                  : "glob characters are reserved for invalidation patterns";
          case '[', ']', '\\' ->
              rules == Rules.PATTERN
                  ? "patterns support only the glob characters * and ?"
                  : "glob characters are reserved for invalidation patterns";
          case '{', '}' ->
              "braces are reserved for the Redis Cluster hash tags that Tierstate adds";
          default -> null;
        };
    if (reservedBecause != null) {
      return "contains reserved character '" + c + "' at index " + index + "; " + reservedBecause;
    }
    if (c == ':') {
      return rules == Rules.SEGMENT ? "must not contain ':'" : null;
    }
    if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return "contains whitespace at index " + index;
    }
    if (Character.isISOControl(c)) {
      return "contains control character " + codePoint(c) + " at index " + index;
    }
    if (Character.isSurrogate(c)) {
      return "contains unpaired surrogate " + codePoint(c) + " at index " + index;
    }
    return null;
  }

  private static String tooLong(String what, String value, int maxLength) {
    return what
        + " "
        + quote(value)
        + " is "
        + value.length()
        + " characters long, more than the maximum of "
        + maxLength;
  }

  /** The value in quotes, cut to 80 characters, with invisible characters escaped. */
  static String quote(String value) {
    int shown = Math.min(value.length(), SHOWN_LENGTH);
    if (shown < value.length() && Character.isHighSurrogate(value.charAt(shown - 1))) {
      shown--; // do not cut a surrogate pair in two
    }
    StringBuilder quoted = new StringBuilder(shown + 8).append('\'');
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      if (c != ' '
          && (Character.isWhitespace(c)
              || Character.isSpaceChar(c)
              || Character.isISOControl(c)
              || (Character.isSurrogate(c) && !isPaired(value, i)))) {
        quoted.append(String.format("\\u%04X", (int) c));
      } else {
        quoted.append(c);
      }
    }
    if (shown < value.length()) {
      quoted.append("...");
    }
    return quoted.append('\'').toString();
  }

  private static boolean isPaired(String value, int index) {
    char c = value.charAt(index);
    return Character.isHighSurrogate(c)
        ? index + 1 < value.length() && Character.isLowSurrogate(value.charAt(index + 1))
        : index > 0 && Character.isHighSurrogate(value.charAt(index - 1));
  }

  private static String codePoint(char c) {
    return String.format("U+%04X", (int) c);
  }
}
