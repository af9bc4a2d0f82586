package io.tierstate.server;

import io.tierstate.postgres.ChangeStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The server's configuration, grouped by topic, read from environment variables by {@link
 * #fromEnv(Map)}; Redis settings are read separately by {@link
 * io.tierstate.TierstateConfig#fromEnv()}. Tests build one from a map of variables.
 *
 * <p>Immutable and thread-safe.
 *
 * @param http the HTTP listener, cookies and CSRF origins
 * @param database PostgreSQL; its URL is null when an embedded server should be started
 * @param auth tokens and login limits
 * @param rateLimits limits on the API
 * @param demo whether to load the demo tenants and users at start-up
 * @param cdc whether to invalidate from PostgreSQL's change stream ({@code SERVER_CDC})
 * @param cdcSlot the change stream's replication slot ({@code SERVER_CDC_SLOT}), one per region
 *     sharing the database; null for the default, {@code tierstate_NAMESPACE}
 * @param auditRate cached entries per second each node checks against PostgreSQL with the consistency
 *     auditor ({@code SERVER_AUDIT_RATE}, default 5; 0 turns it off)
 */
public record ServerConfig(Http http, Database database, Auth auth, RateLimits rateLimits, boolean demo,
    Cdc cdc, @Nullable String cdcSlot, int auditRate) {

  /**
   * {@code SERVER_CDC}: invalidation from PostgreSQL's change stream, so that writes made outside
   * the server (psql, a migration, another service) reach every cache and browser.
   */
  public enum Cdc {
    /** On when the database allows it ({@code wal_level=logical}, a user with REPLICATION); else off, logged. */
    AUTO,
    /** On; the server refuses to start when the database does not allow it. */
    ON,
    /** Off: only the server's own writes invalidate. */
    OFF
  }

  /**
   * The HTTP side.
   *
   * @param port the port to listen on; 0 picks a free one
   * @param maxRequestBytes the largest request body accepted; larger ones get 413
   * @param cookieSecure whether cookies carry {@code Secure} (serve over HTTPS)
   * @param allowedOrigins origins besides the server's own allowed to send unsafe requests
   *     ({@code https://app.example.com}), without a trailing slash
   * @param trustForwardedFor whether the client address is taken from {@code X-Forwarded-For}
   *     (only behind a proxy that sets it)
   * @param serverTiming whether answers carry a {@code Server-Timing} header (time spent in the
   *     handlers, the rate limit and the auth check)
   */
  public record Http(int port, long maxRequestBytes, boolean cookieSecure, List<String> allowedOrigins,
      boolean trustForwardedFor, boolean serverTiming) {
    /** Copies the origins. */
    public Http {
      allowedOrigins = List.copyOf(allowedOrigins);
    }
  }

  /**
   * The PostgreSQL connection.
   *
   * @param jdbcUrl a {@code jdbc:postgresql://} URL, or null to start an embedded server
   * @param user the user, or null for the driver's default
   * @param password the password, or null for none
   * @param maxPoolSize the connection pool's size
   */
  public record Database(@Nullable String jdbcUrl, @Nullable String user, @Nullable String password,
      int maxPoolSize) {
    /** The same connection with another URL (used once an embedded server has started). */
    public Database withUrl(String url, String newUser, String newPassword) {
      return new Database(url, newUser, newPassword, maxPoolSize);
    }

    @Override
    public String toString() {
      return "Database[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password="
          + (password == null ? "none" : "****") + ", maxPoolSize=" + maxPoolSize + "]";
    }
  }

  /**
   * Authentication.
   *
   * @param jwtSecret the HS256 key of access tokens, at least 32 bytes (UTF-8)
   * @param jwtSecretGenerated whether the key was generated at start-up (JWT_SECRET unset): tokens
   *     then die with the process and are not shared between instances
   * @param accessTokenTtl the lifetime of an access token (and its cookie)
   * @param refreshTokenTtl the lifetime of a refresh token (and its cookie); also the session's
   *     idle timeout
   * @param sessionMaxAge the session's absolute lifetime, whatever the refreshes
   * @param loginLimitPerEmail login attempts per e-mail address per {@code loginWindow}
   * @param loginLimitPerIp login attempts per client address per {@code loginWindow}
   * @param loginWindow the sliding window of the login limits
   * @param maxDevices the most concurrent sessions of one user; older ones end
   */
  public record Auth(String jwtSecret, boolean jwtSecretGenerated, Duration accessTokenTtl,
      Duration refreshTokenTtl, Duration sessionMaxAge, int loginLimitPerEmail, int loginLimitPerIp,
      Duration loginWindow, int maxDevices) {
    @Override
    public String toString() {
      return "Auth[jwtSecret=****" + (jwtSecretGenerated ? " (generated)" : "") + ", accessTokenTtl="
          + accessTokenTtl + ", refreshTokenTtl=" + refreshTokenTtl + ", sessionMaxAge=" + sessionMaxAge
          + ", loginLimitPerEmail=" + loginLimitPerEmail + ", loginLimitPerIp=" + loginLimitPerIp
          + ", loginWindow=" + loginWindow + ", maxDevices=" + maxDevices + "]";
    }
  }

  /**
   * Limits on {@code /api/} requests: per user when signed in, per client address otherwise
   * (sliding window counter).
   *
   * @param apiLimit requests per window
   * @param apiWindow the window
   */
  public record RateLimits(int apiLimit, Duration apiWindow) {}

  /** The smallest accepted JWT_SECRET, in bytes: HS256 wants a key as long as its hash. */
  public static final int MIN_JWT_SECRET_BYTES = 32;

  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.\\-]+(:\\d{1,5})?");
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Reads the configuration from environment variables (see docs/server.md for the table).
   *
   * @param env the variables, such as {@code System.getenv()}
   * @throws ConfigException if a value is invalid; the message names the variable
   */
  public static ServerConfig fromEnv(Map<String, String> env) {
    Reader in = new Reader(env);
    Http http = new Http(
        in.integer("PORT", 8080, 0, 65_535),
        in.integer("MAX_REQUEST_BYTES", 64 * 1024, 1024, 64 * 1024 * 1024),
        in.bool("COOKIE_SECURE", false),
        in.origins("ALLOWED_ORIGINS"),
        in.bool("TRUST_FORWARDED_FOR", false),
        in.bool("SERVER_TIMING", false));
    Database database = in.database();
    String secret = in.text("JWT_SECRET");
    String key;
    if (secret == null) {
      byte[] random = new byte[48];
      RANDOM.nextBytes(random);
      key = Base64.getEncoder().encodeToString(random);
    } else {
      key = secret;
      int length = secret.getBytes(StandardCharsets.UTF_8).length;
      if (length < MIN_JWT_SECRET_BYTES) {
        throw new ConfigException("JWT_SECRET must be at least " + MIN_JWT_SECRET_BYTES
            + " bytes (for example the output of 'openssl rand -base64 48'), but has " + length);
      }
    }
    Auth auth = new Auth(key, secret == null,
        in.duration("ACCESS_TOKEN_TTL", Duration.ofMinutes(15)),
        in.duration("REFRESH_TOKEN_TTL", Duration.ofDays(7)),
        in.duration("SESSION_MAX_AGE", Duration.ofDays(30)),
        in.integer("LOGIN_RATE_LIMIT_EMAIL", 5, 1, 100_000),
        in.integer("LOGIN_RATE_LIMIT_IP", 20, 1, 100_000),
        in.duration("LOGIN_RATE_WINDOW", Duration.ofMinutes(1)),
        in.integer("MAX_DEVICES", 10, 1, 1000));
    if (auth.refreshTokenTtl().compareTo(auth.accessTokenTtl()) < 0) {
      throw new ConfigException("REFRESH_TOKEN_TTL must not be shorter than ACCESS_TOKEN_TTL");
    }
    RateLimits rateLimits = new RateLimits(
        in.integer("API_RATE_LIMIT", 100, 1, 1_000_000),
        in.duration("API_RATE_WINDOW", Duration.ofMinutes(1)));
    return new ServerConfig(http, database, auth, rateLimits, in.bool("TIERSTATE_DEMO", false), in.cdc(),
        in.cdcSlot(), in.integer("SERVER_AUDIT_RATE", 5, 0, 1_000));
  }

  /** This configuration with another database (used once an embedded server has started). */
  public ServerConfig withDatabase(Database newDatabase) {
    return new ServerConfig(http, newDatabase, auth, rateLimits, demo, cdc, cdcSlot, auditRate);
  }

  /** Reads and checks variables, with messages that name them. */
  private static final class Reader {
    private final Map<String, String> env;

    Reader(Map<String, String> env) {
      this.env = env;
    }

    @Nullable String text(String name) {
      String value = env.get(name);
      return value == null || value.isBlank() ? null : value.strip();
    }

    int integer(String name, int fallback, int min, int max) {
      String value = text(name);
      if (value == null) {
        return fallback;
      }
      WholeNumberRange range = new WholeNumberRange(min, max);
      Integer parsed = range.parse(value);
      if (parsed == null) {
        throw new ConfigException(name + " must be " + range.description() + ", but was '" + value + "'");
      }
      return parsed;
    }

    Cdc cdc() {
      String value = text("SERVER_CDC");
      if (value == null) {
        return Cdc.AUTO;
      }
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "auto" -> Cdc.AUTO;
        case "on", "true" -> Cdc.ON;
        case "off", "false" -> Cdc.OFF;
        default -> throw new ConfigException("SERVER_CDC must be auto, on or off, but was '" + value + "'");
      };
    }

    /** {@code SERVER_CDC_SLOT}: checked here by PostgreSQL's rule, so a bad name stops the start. */
    @Nullable String cdcSlot() {
      String value = text("SERVER_CDC_SLOT");
      if (value == null) {
        return null;
      }
      try {
        return ChangeStream.requireValidSlot(value);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("SERVER_CDC_SLOT: " + e.getMessage());
      }
    }

    boolean bool(String name, boolean fallback) {
      String value = text(name);
      if (value == null) {
        return fallback;
      }
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw new ConfigException(name + " must be true or false, but was '" + value + "'");
      };
    }

    Duration duration(String name, Duration fallback) {
      String value = text(name);
      if (value == null) {
        return fallback;
      }
      Duration parsed = null;
      Matcher m = SHORT_DURATION.matcher(value);
      try {
        if (m.matches()) {
          long amount = Long.parseLong(m.group(1));
          parsed = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
        } else {
          parsed = Duration.parse(value);
        }
      } catch (DateTimeParseException e) {
        parsed = null;
      }
      if (parsed == null || parsed.toMillis() < 1) {
        throw new ConfigException(name + " must be a positive duration such as 500ms, 30s, 15m, 7d or PT15M, but was '"
            + value + "'");
      }
      return parsed;
    }

    List<String> origins(String name) {
      String value = text(name);
      List<String> origins = new ArrayList<>();
      if (value == null) {
        return origins;
      }
      for (String part : value.split(",", -1)) {
        String origin = part.strip();
        if (origin.endsWith("/")) {
          origin = origin.substring(0, origin.length() - 1);
        }
        if (!ORIGIN.matcher(origin).matches()) {
          throw new ConfigException(name + " must be a comma-separated list of origins such as "
              + "https://app.example.com or http://localhost:3000, but has '" + part.strip() + "'");
        }
        origins.add(origin.toLowerCase(Locale.ROOT));
      }
      return origins;
    }

    Database database() {
      int pool = integer("DATABASE_POOL_SIZE", 10, 1, 1000);
      String url = text("DATABASE_URL");
      String user = text("DATABASE_USER");
      String password = text("DATABASE_PASSWORD");
      if (url == null) {
        return new Database(null, user, password, pool);
      }
      if (url.startsWith("jdbc:postgresql://")) {
        return new Database(url, user, password, pool);
      }
      if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
        try {
          URI uri = new URI(url);
          if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new URISyntaxException(url, "a host and a database are required");
          }
          String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
              + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
          String info = uri.getRawUserInfo();
          if (info != null) {
            int colon = info.indexOf(':');
            String urlUser = decode(colon < 0 ? info : info.substring(0, colon));
            String urlPassword = colon < 0 ? null : decode(info.substring(colon + 1));
            return new Database(jdbc, user != null ? user : urlUser, password != null ? password : urlPassword, pool);
          }
          return new Database(jdbc, user, password, pool);
        } catch (URISyntaxException | IllegalArgumentException e) {
          throw new ConfigException("DATABASE_URL must be postgres://user:password@host:port/database or "
              + "jdbc:postgresql://host:port/database, but was '" + redact(url) + "'");
        }
      }
      throw new ConfigException("DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql://, "
          + "but was '" + redact(url) + "'");
    }

    private static String decode(String part) {
      return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    /** The URL without its password, for error messages. */
    private static String redact(String url) {
      return url.replaceAll("(//[^:/@]+):[^@/]*@", "$1:****@");
    }
  }
}
