package io.tierstate.server;

import java.util.regex.Pattern;
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
  private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,10}");

  /**
   * {@code text} as a whole number within the range, or null when it is not one or lies outside.
   * Only digits, with a minus sign for negative numbers: {@link Integer#parseInt} also takes
   * {@code +5}, which no client means to send.
   */
  public @Nullable Integer parse(String text) {
    if (!DIGITS.matcher(text).matches()) {
      return null;
    }
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
