package io.tierstate.server;

import org.jspecify.annotations.Nullable;

/**
 * The whole numbers from {@code min} to {@code max}, for reading settings and query parameters
 * given as text: one place for the parsing and for how errors phrase what was expected. Immutable,
 * so thread-safe.
 *
 * @param min the smallest accepted value
 * @param max the largest accepted value
 */
public record WholeNumberRange(int min, int max) {
  /** {@code text} as a whole number within the range, or null when it is not one or lies outside. */
  public @Nullable Integer parse(String text) {
    try {
      int parsed = Integer.parseInt(text);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // not a whole number
    }
    return null;
  }

  /** What a value must be, as error messages say it: {@code "a whole number from 1 to 100"}. */
  public String description() {
    return "a whole number from " + min + " to " + max;
  }
}
