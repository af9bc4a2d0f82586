package io.tierstate.server.reference;

import io.tierstate.server.api.CacheRegions;
import io.javalin.http.Context;
import io.tierstate.Tierstate;
import io.tierstate.cache.CacheLoadException;
import io.tierstate.cache.CacheOptions;
import io.tierstate.keys.CacheKeys;
import io.tierstate.server.api.DataCaching;
import io.tierstate.server.api.LanguageTags;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.api.Representations;
import io.tierstate.server.http.ApiError;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The handlers of {@code /api/v1/reference/*}: each list is built once per locale and kept in
 * Tierstate for 24 hours under {@code cache:global:{kind}:{locale}} (the same on every node). Public
 * (no sign-in needed). Thread-safe.
 */
final class ReferenceHandlers {
  static final Duration TTL = Duration.ofHours(24);
  private static final String BROWSER_CACHE = "public, max-age=3600";
  private static final Set<String> PARAMETERS = Set.of("locale");

  private final Tierstate tierstate;
  private final Representations representations;
  private final boolean caching;

  ReferenceHandlers(Tierstate tierstate, Representations representations, DataCaching caching) {
    this.tierstate = tierstate;
    this.representations = representations;
    this.caching = caching.enabled();
  }

  /** GET /api/v1/reference/countries?locale=. */
  void countries(Context ctx) {
    answer(ctx, "countries", ReferenceCatalog.Countries.class, ReferenceCatalog::countries);
  }

  /** GET /api/v1/reference/timezones?locale=. */
  void timeZones(Context ctx) {
    answer(ctx, "timezones", ReferenceCatalog.TimeZones.class, ReferenceCatalog::timeZones);
  }

  /** GET /api/v1/reference/currencies?locale=. */
  void currencies(Context ctx) {
    answer(ctx, "currencies", ReferenceCatalog.Currencies.class, ReferenceCatalog::currencies);
  }

  private <T> void answer(Context ctx, String kind, Class<T> type, Function<Locale, T> build) {
    Locale locale = locale(QueryParameters.of(ctx, PARAMETERS).text("locale"));
    T value;
    if (caching) {
      try {
        value = tierstate.cache().getOrLoad(CacheKeys.global(kind).part(locale.toLanguageTag()).key(), type,
            () -> build.apply(locale), CacheOptions.ttl(TTL).region(CacheRegions.REFERENCE).compress());
      } catch (CacheLoadException e) {
        throw new IllegalStateException("building " + kind + " failed", e);
      }
    } else {
      value = build.apply(locale);
    }
    if (value == null) {
      throw new IllegalStateException("the " + kind + " loader never returns null");
    }
    representations.send(ctx, 200, value, BROWSER_CACHE);
  }

  /**
   * The locale of a BCP 47 tag such as {@code en}, {@code fr-CA} or {@code de}; English by default.
   *
   * @throws ApiError 400 {@code invalid_parameter} for a malformed tag or an unknown language or region
   */
  static Locale locale(@Nullable String tag) {
    if (tag == null) {
      return Locale.ENGLISH;
    }
    Locale locale = LanguageTags.parse(tag);
    if (locale == null) {
      throw ApiError.badRequest("invalid_parameter", "'locale' must be a language tag such as en, fr, de or pt-BR, "
          + "but was '" + QueryParameters.shorten(tag) + "'");
    }
    return locale;
  }
}
