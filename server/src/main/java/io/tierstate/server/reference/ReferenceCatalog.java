package io.tierstate.server.reference;

import java.text.Collator;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

/** Builds the reference lists from the JDK's own data (CLDR). Stateless and thread-safe. */
final class ReferenceCatalog {
  private ReferenceCatalog() {}

  /** A country: ISO 3166 alpha-2 code and its name in the locale. */
  record Country(String code, String name) {}

  /** A time zone: its IANA id, its name in the locale and its standard offset from UTC now. */
  record TimeZone(String id, String name, String standardOffset) {}

  /** A currency: ISO 4217 code, numeric code, name and symbol in the locale, minor-unit digits. */
  record CurrencyInfo(String code, int numericCode, String name, String symbol, int fractionDigits) {}

  /** Countries in one locale. */
  record Countries(String locale, List<Country> items) {
    Countries {
      items = List.copyOf(items);
    }
  }

  /** Time zones in one locale. */
  record TimeZones(String locale, List<TimeZone> items) {
    TimeZones {
      items = List.copyOf(items);
    }
  }

  /** Currencies in one locale. */
  record Currencies(String locale, List<CurrencyInfo> items) {
    Currencies {
      items = List.copyOf(items);
    }
  }

  static Countries countries(Locale locale) {
    Collator collator = Collator.getInstance(locale);
    List<Country> items = Arrays.stream(Locale.getISOCountries())
            .map(code -> new Country(code, Locale.of("", code).getDisplayCountry(locale)))
            .sorted(Comparator.comparing(Country::name, collator).thenComparing(Country::code))
            .toList();
    return new Countries(locale.toLanguageTag(), items);
  }

  static TimeZones timeZones(Locale locale) {
    Instant now = Instant.now();
    List<TimeZone> items = ZoneId.getAvailableZoneIds().stream()
        .sorted()
        .map(ZoneId::of)
        .map(zone -> new TimeZone(zone.getId(), zone.getDisplayName(TextStyle.FULL, locale),
            zone.getRules().getStandardOffset(now).getId().replace("Z", "+00:00")))
        .toList();
    return new TimeZones(locale.toLanguageTag(), items);
  }

  static Currencies currencies(Locale locale) {
    List<CurrencyInfo> items = Currency.getAvailableCurrencies().stream()
        .sorted(Comparator.comparing(Currency::getCurrencyCode))
        .map(c -> new CurrencyInfo(c.getCurrencyCode(), c.getNumericCode(), c.getDisplayName(locale),
            c.getSymbol(locale), c.getDefaultFractionDigits()))
        .toList();
    return new Currencies(locale.toLanguageTag(), items);
  }
}
