package io.tierstate.jcache;

import io.tierstate.TierstateConfig;
import io.tierstate.codec.Codec;
import io.tierstate.codec.JacksonCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.cache.CacheException;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link TierstateCacheManager} is configured with: the Tierstate configuration read from the
 * manager's properties, then system properties, then the environment (the same names as {@link
 * TierstateConfig#fromEnv()}: {@code REDIS_URL}, {@code TIERSTATE_NAMESPACE}...), a Redis URL taken
 * from the manager's URI when it is one, the scope that names the shared key space, and the types
 * the caches may decode.
 */
final class ProviderSettings {
  /** Names which types a cache may decode besides its configured types and JDK value types. */
  static final String ALLOWED_TYPES = "TIERSTATE_JCACHE_ALLOWED_TYPES";
  /** Names a {@link Codec} class (public, with a public no-argument constructor) for keys and values. */
  static final String CODEC = "TIERSTATE_JCACHE_CODEC";
  /** Overrides the scope taken from the manager's URI. */
  static final String SCOPE = "TIERSTATE_JCACHE_SCOPE";

  private static final Pattern SCOPE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  final TierstateConfig config;
  final String scope;
  final List<String> allowedTypes;
  final Codec codec;

  private ProviderSettings(TierstateConfig config, String scope, List<String> allowedTypes, Codec codec) {
    this.config = config;
    this.scope = scope;
    this.allowedTypes = allowedTypes;
    this.codec = codec;
  }

  /**
   * Reads the settings of a manager.
   *
   * @throws CacheException naming the property and the problem when a value is invalid
   */
  static ProviderSettings read(URI uri, Properties properties, ClassLoader classLoader) {
    Map<String, String> values = new HashMap<>();
    System.getenv().forEach((name, value) -> {
      if (relevant(name)) {
        values.put(name, value);
      }
    });
    System.getProperties().stringPropertyNames().stream().filter(ProviderSettings::relevant)
        .forEach(name -> values.put(name, System.getProperty(name)));
    properties.stringPropertyNames().stream().filter(ProviderSettings::relevant)
        .forEach(name -> values.put(name, properties.getProperty(name)));

    String scheme = uri.getScheme();
    String scope;
    if (scheme != null && scheme.startsWith("redis")) {
      // The manager's URI is the Redis URL (without a fragment, which only names the manager).
      String redisUrl = uri.toString();
      int hash = redisUrl.indexOf('#');
      values.put("REDIS_URL", hash < 0 ? redisUrl : redisUrl.substring(0, hash));
      scope = "default";
    } else if ("tierstate".equals(scheme) && uri.isOpaque()) {
      scope = uri.getSchemeSpecificPart();
      if (!SCOPE_NAME.matcher(scope).matches()) {
        throw new CacheException("the CacheManager URI " + uri + " must be tierstate:<scope> with a scope of"
            + " 1 to 64 characters A-Z a-z 0-9 . _ -");
      }
    } else {
      // Any other URI names a key space of its own.
      scope = "u" + digest(uri.toString());
    }
    String scopeOverride = values.get(SCOPE);
    if (scopeOverride != null && !scopeOverride.isEmpty()) {
      if (!SCOPE_NAME.matcher(scopeOverride).matches()) {
        throw new CacheException(SCOPE + " must be 1 to 64 characters A-Z a-z 0-9 . _ -, but was '" + scopeOverride + "'");
      }
      scope = scopeOverride;
    }
    TierstateConfig config;
    try {
      config = TierstateConfig.fromEnv(values);
    } catch (IllegalArgumentException e) {
      throw new CacheException("invalid Tierstate JCache configuration for " + uri + ": " + e.getMessage(), e);
    }
    return new ProviderSettings(config, scope, allowedTypes(values.get(ALLOWED_TYPES)),
        codec(values.get(CODEC), config, classLoader));
  }

  private static Codec codec(@Nullable String className, TierstateConfig config, ClassLoader classLoader) {
    if (className == null || className.isBlank()) {
      return config.codec().orElseGet(JacksonCodec::create);
    }
    try {
      Class<?> type = Class.forName(className.trim(), true, classLoader);
      if (!Codec.class.isAssignableFrom(type)) {
        throw new CacheException(CODEC + " must name a class that implements " + Codec.class.getName()
            + ", but " + className + " does not");
      }
      return (Codec) type.getConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new CacheException(CODEC + " names " + className + ", which is not on the class path", e);
    } catch (ReflectiveOperationException | RuntimeException e) {
      if (e instanceof CacheException ce) {
        throw ce;
      }
      throw new CacheException(CODEC + " names " + className + ", which cannot be created with a public"
          + " no-argument constructor: " + e, e);
    }
  }

  private static boolean relevant(String name) {
    return name.startsWith("REDIS_") || name.startsWith("TIERSTATE_");
  }

  private static List<String> allowedTypes(@Nullable String text) {
    List<String> types = new ArrayList<>();
    if (text == null) {
      return types;
    }
    for (String part : text.split(",", -1)) {
      String type = part.trim();
      if (type.isEmpty()) {
        continue;
      }
      if (!type.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*(\\.\\*)?")) {
        throw new CacheException(ALLOWED_TYPES + " must list class names or packages ending in .*, separated by"
            + " commas, but has '" + type + "'");
      }
      types.add(type);
    }
    return List.copyOf(types);
  }

  /** A short, glob-safe digest of {@code text}: 22 base64url characters of its SHA-256. */
  static String digest(String text) {
    return digest(text.getBytes(StandardCharsets.UTF_8));
  }

  static String digest(byte[] bytes) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
