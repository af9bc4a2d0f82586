package io.tierstate.server.api;

import io.tierstate.server.ConfigException;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the data API caches what it reads from PostgreSQL in Tierstate (L1 + L2). On by
 * default; {@code SERVER_CACHE=off} sends every read to PostgreSQL, which is how the load
 * measurement compares the two (docs/server-data.md). Authentication's own access cache is not
 * affected.
 *
 * @param enabled whether reads go through the cache
 */
public record DataCaching(boolean enabled) {
  /** The environment variable that turns caching off. */
  public static final String VARIABLE = "SERVER_CACHE";

  /**
   * Reads {@value #VARIABLE}: {@code on} (the default) or {@code off}.
   *
   * @throws ConfigException if the value is neither
   */
  public static DataCaching fromEnv(Map<String, String> env) {
    String value = env.get(VARIABLE);
    if (value == null || value.isBlank()) {
      return new DataCaching(true);
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "on", "true" -> new DataCaching(true);
      case "off", "false" -> new DataCaching(false);
      default -> throw new ConfigException(VARIABLE + " must be on or off, but was '" + value + "'");
    };
  }
}
