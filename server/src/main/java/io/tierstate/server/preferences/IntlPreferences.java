package io.tierstate.server.preferences;

import java.time.Instant;

/**
 * A user's international preferences, as the API shows them and as they are cached:
 * {@code {"locale":"en","timeZone":"UTC","updatedAt":"…","version":1}}. Immutable.
 *
 * @param locale a BCP 47 language tag in canonical case, such as {@code en} or {@code pt-BR}
 * @param timeZone an IANA time zone id, such as {@code Europe/Paris} or {@code UTC}
 * @param updatedAt when they last changed (the account's creation while they are the defaults)
 * @param version 1 for the defaults, bumped by every change
 */
record IntlPreferences(String locale, String timeZone, Instant updatedAt, long version) {
  static final String DEFAULT_LOCALE = "en";
  static final String DEFAULT_TIME_ZONE = "UTC";
}
