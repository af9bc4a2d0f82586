package io.tierstate.server.api;

import java.util.IllformedLocaleException;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The BCP 47 language tags the API accepts, wherever a locale is given (reference data, a user's
 * preferences): a known ISO 639 language, optionally a script and a known ISO 3166 region, such as
 * {@code en}, {@code fr-CA}, {@code pt-BR} or {@code zh-Hant-TW}; no variants, no extensions, at
 * most {@value #MAX_LENGTH} characters. Stateless.
 */
public final class LanguageTags {
  /** The longest tag accepted. */
  public static final int MAX_LENGTH = 35;

  private static final Set<String> LANGUAGES = Set.of(Locale.getISOLanguages());
  private static final Set<String> REGIONS = Set.of(Locale.getISOCountries());

  private LanguageTags() {}

  /**
   * The locale of {@code tag}, or null when it is ill-formed, too long, or names an unknown
   * language or region, a variant or an extension. Its {@link Locale#toLanguageTag()} is the tag
   * in canonical case ({@code pt-br} gives {@code pt-BR}).
   */
  public static @Nullable Locale parse(String tag) {
    if (tag.isEmpty() || tag.length() > MAX_LENGTH) {
      return null;
    }
    Locale locale;
    try {
      locale = new Locale.Builder().setLanguageTag(tag).build();
    } catch (IllformedLocaleException e) {
      return null;
    }
    if (!LANGUAGES.contains(locale.getLanguage())
        || (!locale.getCountry().isEmpty() && !REGIONS.contains(locale.getCountry()))
        || !locale.getVariant().isEmpty() || !locale.getExtensionKeys().isEmpty()) {
      return null;
    }
    return locale;
  }
}
