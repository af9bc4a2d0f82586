package io.tierstate.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@link TierstateProperties} into a {@link TierstateConfig} and {@link CacheOptions}, through
 * the builders, so that every value is checked by core's own rules; core's messages name builder
 * methods, which are rewritten to the property names a Spring user wrote.
 */
final class ConfigFromProperties {
  /** Builder method (and environment variable) names, as core's messages use them, to properties. */
  private static final Map<String, String> PROPERTY_OF = new LinkedHashMap<>();

  static {
    PROPERTY_OF.put("redisUrl", "tierstate.redis.url");
    PROPERTY_OF.put("redisEndpoint", "tierstate.redis.url");
    PROPERTY_OF.put("redisUsername", "tierstate.redis.username");
    PROPERTY_OF.put("redisPassword", "tierstate.redis.password");
    PROPERTY_OF.put("redisDatabase", "tierstate.redis.database");
    PROPERTY_OF.put("redisRequired", "tierstate.redis.required");
    PROPERTY_OF.put("redisTlsCaFile", "tierstate.redis.tls.ca-file");
    PROPERTY_OF.put("redisTlsClientCertificate", "tierstate.redis.tls.cert-file");
    PROPERTY_OF.put("commandTimeout", "tierstate.command-timeout");
    PROPERTY_OF.put("connectTimeout", "tierstate.connect-timeout");
    PROPERTY_OF.put("namespace", "tierstate.namespace");
    PROPERTY_OF.put("l1MaximumSize", "tierstate.l1.maximum-size");
    PROPERTY_OF.put("l1MaximumAge", "tierstate.l1.maximum-age");
    PROPERTY_OF.put("degradedL1Ttl", "tierstate.l1.degraded-ttl");
    PROPERTY_OF.put("defaultTtl", "tierstate.default-ttl");
    PROPERTY_OF.put("maxValueBytes", "tierstate.max-value-bytes");
    PROPERTY_OF.put("compressionThreshold", "tierstate.compression-threshold");
    PROPERTY_OF.put("loadLeaseTtl", "tierstate.load-lease-ttl");
    PROPERTY_OF.put("invalidationLogMaxLength", "tierstate.invalidation-log-max-length");
    PROPERTY_OF.put("nodeId", "tierstate.node-id");
    PROPERTY_OF.put("breakerFailureThreshold", "tierstate.breaker.failure-threshold");
    PROPERTY_OF.put("breakerOpenDuration", "tierstate.breaker.open-duration");
    PROPERTY_OF.put("directReadConnections", "tierstate.direct-read-connections");
    PROPERTY_OF.put("hotKeySampling", "tierstate.hot-key-sampling");
    PROPERTY_OF.put("REDIS_TLS_CERT_FILE", "tierstate.redis.tls.cert-file");
    PROPERTY_OF.put("REDIS_TLS_KEY_FILE", "tierstate.redis.tls.key-file");
  }

  private static final Pattern NAME =
      Pattern.compile("\\b(" + String.join("|", PROPERTY_OF.keySet()) + ")\\b");

  private ConfigFromProperties() {}

  /**
   * The configuration the properties describe.
   *
   * @throws InvalidTierstatePropertyException if a value is invalid, naming the property
   */
  static TierstateConfig config(TierstateProperties p, @Nullable MeterRegistry registry) {
    TierstateConfig.Builder b = TierstateConfig.builder();
    TierstateProperties.Redis redis = p.getRedis();
    set("tierstate.redis.url", redis.getUrl(), b::redisUrl);
    set("tierstate.redis.username", redis.getUsername(), b::redisUsername);
    set("tierstate.redis.password", redis.getPassword(), b::redisPassword);
    set("tierstate.redis.database", redis.getDatabase(), b::redisDatabase);
    set("tierstate.redis.required", redis.getRequired(), b::redisRequired);
    set("tierstate.redis.tls.ca-file", redis.getTls().getCaFile(), b::redisTlsCaFile);
    if (redis.getTls().getCertFile() != null || redis.getTls().getKeyFile() != null) {
      if (redis.getTls().getCertFile() == null || redis.getTls().getKeyFile() == null) {
        throw new InvalidTierstatePropertyException("tierstate.redis.tls.cert-file",
            "tierstate.redis.tls.cert-file and tierstate.redis.tls.key-file go together: set both for a client "
                + "certificate, or neither", new IllegalArgumentException());
      }
      set("tierstate.redis.tls.cert-file", redis.getTls().getCertFile(),
          cert -> b.redisTlsClientCertificate(cert, redis.getTls().getKeyFile()));
    }
    set("tierstate.command-timeout", p.getCommandTimeout(), b::commandTimeout);
    set("tierstate.connect-timeout", p.getConnectTimeout(), b::connectTimeout);
    set("tierstate.namespace", p.getNamespace(), b::namespace);
    set("tierstate.l1.maximum-size", p.getL1().getMaximumSize(), b::l1MaximumSize);
    set("tierstate.l1.maximum-age", p.getL1().getMaximumAge(), b::l1MaximumAge);
    set("tierstate.l1.degraded-ttl", p.getL1().getDegradedTtl(), b::degradedL1Ttl);
    set("tierstate.default-ttl", p.getDefaultTtl(), b::defaultTtl);
    set("tierstate.max-value-bytes", p.getMaxValueBytes(), b::maxValueBytes);
    set("tierstate.compression-threshold", p.getCompressionThreshold(), b::compressionThreshold);
    set("tierstate.load-lease-ttl", p.getLoadLeaseTtl(), b::loadLeaseTtl);
    set("tierstate.invalidation-log-max-length", p.getInvalidationLogMaxLength(), b::invalidationLogMaxLength);
    set("tierstate.node-id", p.getNodeId(), b::nodeId);
    set("tierstate.breaker.failure-threshold", p.getBreaker().getFailureThreshold(), b::breakerFailureThreshold);
    set("tierstate.breaker.open-duration", p.getBreaker().getOpenDuration(), b::breakerOpenDuration);
    set("tierstate.direct-read-connections", p.getDirectReadConnections(), b::directReadConnections);
    set("tierstate.hot-key-sampling", p.getHotKeySampling(), b::hotKeySampling);
    b.meterRegistry(registry);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw rewritten(null, e);
    }
  }

  /**
   * The options of the Spring cache {@code name}: its ttl (else the default), its tags, refresh
   * policies and region, and the tag {@code cacheTag} that {@code clear()} invalidates.
   *
   * @throws InvalidTierstatePropertyException if a value is invalid, naming the property
   */
  static CacheOptions cacheOptions(String name, String cacheTag, TierstateProperties.@Nullable CacheSettings s,
      TierstateConfig config) {
    String prefix = "tierstate.caches." + name + ".";
    CacheOptions[] options = {CacheOptions.ttl(config.defaultTtl()).tags(cacheTag)};
    if (s == null) {
      return options[0];
    }
    set(prefix + "ttl", s.getTtl(), v -> options[0] = options[0].withTtl(v));
    set(prefix + "tags", s.getTags().isEmpty() ? null : s.getTags(), v -> {
      String[] tags = new String[v.size() + 1];
      tags[0] = cacheTag;
      for (int i = 0; i < v.size(); i++) {
        tags[i + 1] = v.get(i);
      }
      options[0] = options[0].tags(tags);
    });
    set(prefix + "refresh-ahead", s.getRefreshAhead(), v -> options[0] = options[0].refreshAhead(v));
    set(prefix + "stale-while-revalidate", s.getStaleWhileRevalidate(),
        v -> options[0] = options[0].staleWhileRevalidate(v));
    set(prefix + "stale-if-error", s.getStaleIfError(), v -> options[0] = options[0].staleIfError(v));
    set(prefix + "cache-absent", s.getCacheAbsent(), v -> options[0] = options[0].cacheAbsent(v));
    set(prefix + "region", s.getRegion(), v -> options[0] = options[0].region(v));
    return options[0];
  }

  private static <T> void set(String property, @Nullable T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw rewritten(property, e);
    }
  }

  /** Core's message with every builder name replaced by its property, or prefixed by the property. */
  private static InvalidTierstatePropertyException rewritten(@Nullable String property, RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = NAME.matcher(message);
    String first = null;
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = PROPERTY_OF.get(m.group(1));
      if (first == null) {
        first = replacement;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(replacement)));
    }
    m.appendTail(out);
    String named = property != null ? property : first != null ? first : "tierstate";
    String text = out.toString();
    if (!text.contains(named)) {
      text = named + ": " + text;
    }
    return new InvalidTierstatePropertyException(named, text, e);
  }
}
