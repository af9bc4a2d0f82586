package io.tierstate.keys;

/**
 * Matches keys against glob patterns ({@code *} any run of characters, {@code ?} one), as Redis
 * SCAN MATCH does for the two characters {@link CacheKeys#requireValidPattern} allows. The one
 * matcher for pattern invalidation and read-through loaders.
 *
 * <p>Thread-safe (stateless).
 */
public final class KeyPattern {
  private KeyPattern() {}

  /** Whether {@code text} matches {@code pattern}; linear, backtracking only to the last star. */
  public static boolean matches(String pattern, String text) {
    int p = 0;
    int t = 0;
    int starP = -1;
    int starT = -1;
    while (t < text.length()) {
      if (p < pattern.length()
          && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        starP = p++;
        starT = t;
      } else if (starP >= 0) {
        p = starP + 1;
        t = ++starT;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
