package io.tierstate.server.preferences;

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
import io.tierstate.server.auth.AccessCache;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.http.ApiError;
import io.tierstate.server.http.JsonBodies;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of {@code /api/v1/me/preferences}: the caller's own preferences, never anybody
 * else's (the user and tenant come from the session, not from the path).
 *
 * <p>Reads go through {@code getOrLoad} at {@code tenant:{t}:user:{u}:intl-prefs} (30 minutes,
 * tagged {@code tenant:{t}:user:{u}}, so whatever drops a user's entries drops these too). A
 * change commits, then invalidates that key on every node; the invalidation is what announces it
 * to the tenant's event streams as {@code {"entity":"user","id":"<the user>"}}.
 *
 * <p>Thread-safe.
 */
final class PreferenceHandlers {
  static final Duration TTL = Duration.ofMinutes(30);
  private static final Duration ABSENT_TTL = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(PreferenceHandlers.class);

  private final Tierstate tierstate;
  private final PreferenceStore store;
  private final Representations representations;
  private final boolean caching;

  PreferenceHandlers(Tierstate tierstate, PreferenceStore store, Representations representations, DataCaching caching) {
    this.tierstate = tierstate;
    this.store = store;
    this.representations = representations;
    this.caching = caching.enabled();
  }

  /** The body of PATCH; absent fields stay as they are. */
  record PatchRequest(@Nullable String locale, @Nullable String timeZone) {}

  /** {@code tenant:{t}:user:{u}:intl-prefs}. */
  static String key(UUID tenantId, UUID userId) {
    return CacheKeys.tenant(tenantId).user(userId).field("intl-prefs");
  }

  /** GET /api/v1/me/preferences. */
  void get(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    QueryParameters.of(ctx, Set.of());
    representations.send(ctx, 200, read(me.tenantId(), me.userId()));
  }

  /** PATCH /api/v1/me/preferences, optionally conditional with If-Match. */
  void patch(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    QueryParameters.of(ctx, Set.of());
    PatchRequest body = JsonBodies.read(ctx, PatchRequest.class);
    if (body.locale() == null && body.timeZone() == null) {
      throw invalid("nothing to change: give locale, timeZone or both");
    }
    String locale = body.locale() == null ? null : locale(body.locale());
    String timeZone = body.timeZone() == null ? null : timeZone(body.timeZone());
    String ifMatch = ctx.header("If-Match");
    IntlPreferences changed = store.update(me.tenantId(), me.userId(), new PreferenceStore.Change(locale, timeZone),
            current -> {
              if (ifMatch != null && !Representations.matches(ifMatch, representations.etagOf(current))) {
                throw new ApiError(412, "precondition_failed", "your preferences changed since you read them "
                    + "(If-Match does not match their ETag); read them again and retry");
              }
            })
        .orElseThrow(() -> ApiError.unauthorized("session_ended", "the account no longer exists; sign in again"));
    // After the commit: invalidating before would let a concurrent read cache the old row again.
    tierstate.invalidator().invalidateKeys(key(me.tenantId(), me.userId()));
    log.atInfo().addKeyValue("userId", me.userId()).addKeyValue("version", changed.version())
        .log("preferences changed");
    representations.send(ctx, 200, changed);
  }

  private IntlPreferences read(UUID tenantId, UUID userId) {
    IntlPreferences preferences;
    if (!caching) {
      preferences = store.find(tenantId, userId).orElse(null);
    } else {
      try {
        preferences = tierstate.cache().getOrLoad(key(tenantId, userId), IntlPreferences.class,
            () -> store.find(tenantId, userId).orElse(null),
            CacheOptions.ttl(TTL).region(CacheRegions.PREFERENCES).tags(AccessCache.userTag(tenantId, userId)).cacheAbsent(ABSENT_TTL));
      } catch (CacheLoadException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause; // PostgreSQL unreachable: 503, as with caching off
        }
        throw e;
      }
    }
    if (preferences == null) {
      throw ApiError.unauthorized("session_ended", "the account no longer exists; sign in again");
    }
    return preferences;
  }

  /** The tag in canonical case ({@code pt-br} is stored as {@code pt-BR}). */
  private static String locale(String value) {
    Locale locale = LanguageTags.parse(value.strip());
    if (locale == null) {
      throw invalid("'locale' must be a language tag such as en, fr, de-CH or pt-BR, but was '"
          + QueryParameters.shorten(value) + "'");
    }
    return locale.toLanguageTag();
  }

  private static String timeZone(String value) {
    String id = value.strip();
    if (!ZoneId.getAvailableZoneIds().contains(id)) {
      throw invalid("'timeZone' must be an IANA time zone id such as Europe/Paris, America/New_York or UTC, "
          + "but was '" + QueryParameters.shorten(value) + "'");
    }
    return id;
  }

  private static ApiError invalid(String message) {
    return ApiError.badRequest("invalid_field", message);
  }
}
