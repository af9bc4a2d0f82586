package io.tierstate.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code tierstate.*} properties: one for each {@link io.tierstate.TierstateConfig} option, and
 * the settings of the Spring caches. An option left unset keeps the default of {@code
 * TierstateConfig}; every value is checked by the same rules as its builder method, and an error
 * names the property.
 *
 * <p>Not thread-safe: Spring binds it once at start-up.
 */
@ConfigurationProperties("tierstate")
public class TierstateProperties {

  private final Redis redis = new Redis();
  private final L1 l1 = new L1();
  private final Breaker breaker = new Breaker();
  private final Health health = new Health();
  private final Map<String, CacheSettings> caches = new LinkedHashMap<>();

  /** Redis command timeout (default 1s). */
  private @Nullable Duration commandTimeout;

  /** Redis connect timeout (default 2s). */
  private @Nullable Duration connectTimeout;

  /** Prefix of every Redis key; services sharing data share it (default ts). */
  private @Nullable String namespace;

  /** Time to live of entries written without one, and of caches that set no ttl (default 5m). */
  private @Nullable Duration defaultTtl;

  /** Largest encoded value in bytes; larger ones are rejected (default 1048576). */
  private @Nullable Integer maxValueBytes;

  /** Values at least this many bytes long are zstd-compressed when it helps (default 1024). */
  private @Nullable Integer compressionThreshold;

  /** How long a node may hold the right to load a key, renewed while the loader runs (default 10s). */
  private @Nullable Duration loadLeaseTtl;

  /** Entries kept in the invalidation log, a Redis Stream (default 100000, at least 1000). */
  private @Nullable Long invalidationLogMaxLength;

  /** This node's id in invalidation events (default random). */
  private @Nullable String nodeId;

  /** Blocking connections per Redis server that serve cache reads on the caller's thread; 0 reads through Lettuce only (default 8). */
  private @Nullable Integer directReadConnections;

  /** One cache read in this many is sampled for the node's hot keys; 0 turns sampling off (default 256). */
  private @Nullable Integer hotKeySampling;

  /** Whether the Spring CacheManager is Tierstate's, unless the application declares its own (default true). */
  private boolean cacheManagerEnabled = true;

  public Redis getRedis() {
    return redis;
  }

  public L1 getL1() {
    return l1;
  }

  public Breaker getBreaker() {
    return breaker;
  }

  public Health getHealth() {
    return health;
  }

  public Map<String, CacheSettings> getCaches() {
    return caches;
  }

  public @Nullable Duration getCommandTimeout() {
    return commandTimeout;
  }

  public void setCommandTimeout(@Nullable Duration commandTimeout) {
    this.commandTimeout = commandTimeout;
  }

  public @Nullable Duration getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(@Nullable Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public @Nullable String getNamespace() {
    return namespace;
  }

  public void setNamespace(@Nullable String namespace) {
    this.namespace = namespace;
  }

  public @Nullable Duration getDefaultTtl() {
    return defaultTtl;
  }

  public void setDefaultTtl(@Nullable Duration defaultTtl) {
    this.defaultTtl = defaultTtl;
  }

  public @Nullable Integer getMaxValueBytes() {
    return maxValueBytes;
  }

  public void setMaxValueBytes(@Nullable Integer maxValueBytes) {
    this.maxValueBytes = maxValueBytes;
  }

  public @Nullable Integer getCompressionThreshold() {
    return compressionThreshold;
  }

  public void setCompressionThreshold(@Nullable Integer compressionThreshold) {
    this.compressionThreshold = compressionThreshold;
  }

  public @Nullable Duration getLoadLeaseTtl() {
    return loadLeaseTtl;
  }

  public void setLoadLeaseTtl(@Nullable Duration loadLeaseTtl) {
    this.loadLeaseTtl = loadLeaseTtl;
  }

  public @Nullable Long getInvalidationLogMaxLength() {
    return invalidationLogMaxLength;
  }

  public void setInvalidationLogMaxLength(@Nullable Long invalidationLogMaxLength) {
    this.invalidationLogMaxLength = invalidationLogMaxLength;
  }

  public @Nullable String getNodeId() {
    return nodeId;
  }

  public void setNodeId(@Nullable String nodeId) {
    this.nodeId = nodeId;
  }

  public @Nullable Integer getDirectReadConnections() {
    return directReadConnections;
  }

  public void setDirectReadConnections(@Nullable Integer directReadConnections) {
    this.directReadConnections = directReadConnections;
  }

  public @Nullable Integer getHotKeySampling() {
    return hotKeySampling;
  }

  public void setHotKeySampling(@Nullable Integer hotKeySampling) {
    this.hotKeySampling = hotKeySampling;
  }

  public boolean isCacheManagerEnabled() {
    return cacheManagerEnabled;
  }

  public void setCacheManagerEnabled(boolean cacheManagerEnabled) {
    this.cacheManagerEnabled = cacheManagerEnabled;
  }

  /** Where Redis is and how to reach it. */
  public static class Redis {
    private final Tls tls = new Tls();

    /** redis://[user:pass@]host[:port][/db], rediss:// (TLS), redis-sentinel://h1:26379,h2:26379/0#master or redis-cluster://h1:7000,h2:7001 (default redis://127.0.0.1:6379). */
    private @Nullable String url;

    /** ACL username, overriding the URL's. */
    private @Nullable String username;

    /** Password, overriding the URL's. */
    private @Nullable String password;

    /** Database 0-15, overriding the URL's (clusters only have 0). */
    private @Nullable Integer database;

    /** Fail at start-up when Redis is unreachable instead of starting degraded (default false). */
    private @Nullable Boolean required;

    public Tls getTls() {
      return tls;
    }

    public @Nullable String getUrl() {
      return url;
    }

    public void setUrl(@Nullable String url) {
      this.url = url;
    }

    public @Nullable String getUsername() {
      return username;
    }

    public void setUsername(@Nullable String username) {
      this.username = username;
    }

    public @Nullable String getPassword() {
      return password;
    }

    public void setPassword(@Nullable String password) {
      this.password = password;
    }

    public @Nullable Integer getDatabase() {
      return database;
    }

    public void setDatabase(@Nullable Integer database) {
      this.database = database;
    }

    public @Nullable Boolean getRequired() {
      return required;
    }

    public void setRequired(@Nullable Boolean required) {
      this.required = required;
    }
  }

  /** TLS to Redis (with a rediss…:// URL). */
  public static class Tls {
    /** PEM file of the CA certificates a TLS Redis must be signed by, for a private CA (default the JVM's CAs). */
    private @Nullable Path caFile;

    /** PEM client certificate chain, for a Redis that checks clients; goes with key-file. */
    private @Nullable Path certFile;

    /** Unencrypted PKCS#8 PEM key of the client certificate; goes with cert-file. */
    private @Nullable Path keyFile;

    public @Nullable Path getCaFile() {
      return caFile;
    }

    public void setCaFile(@Nullable Path caFile) {
      this.caFile = caFile;
    }

    public @Nullable Path getCertFile() {
      return certFile;
    }

    public void setCertFile(@Nullable Path certFile) {
      this.certFile = certFile;
    }

    public @Nullable Path getKeyFile() {
      return keyFile;
    }

    public void setKeyFile(@Nullable Path keyFile) {
      this.keyFile = keyFile;
    }
  }

  /** The in-process tier. */
  public static class L1 {
    /** L1 entries; 0 disables L1 (default 10000). */
    private @Nullable Long maximumSize;

    /** Hard maximum age of any L1 entry (default 5m). */
    private @Nullable Duration maximumAge;

    /** How long L1 entries are trusted while invalidations cannot flow; at most maximum-age (default 5s). */
    private @Nullable Duration degradedTtl;

    public @Nullable Long getMaximumSize() {
      return maximumSize;
    }

    public void setMaximumSize(@Nullable Long maximumSize) {
      this.maximumSize = maximumSize;
    }

    public @Nullable Duration getMaximumAge() {
      return maximumAge;
    }

    public void setMaximumAge(@Nullable Duration maximumAge) {
      this.maximumAge = maximumAge;
    }

    public @Nullable Duration getDegradedTtl() {
      return degradedTtl;
    }

    public void setDegradedTtl(@Nullable Duration degradedTtl) {
      this.degradedTtl = degradedTtl;
    }
  }

  /** The circuit breaker in front of Redis. */
  public static class Breaker {
    /** Consecutive Redis failures that open the breaker (default 3). */
    private @Nullable Integer failureThreshold;

    /** How long the breaker stays open before a probe (default 1s). */
    private @Nullable Duration openDuration;

    public @Nullable Integer getFailureThreshold() {
      return failureThreshold;
    }

    public void setFailureThreshold(@Nullable Integer failureThreshold) {
      this.failureThreshold = failureThreshold;
    }

    public @Nullable Duration getOpenDuration() {
      return openDuration;
    }

    public void setOpenDuration(@Nullable Duration openDuration) {
      this.openDuration = openDuration;
    }
  }

  /** The Actuator health indicator. */
  public static class Health {
    /** Spring status code reported while Tierstate is DEGRADED (still serving, from L1 and loaders): UP by default; OUT_OF_SERVICE takes the node out of a load balancer. */
    private String degradedStatus = "UP";

    public String getDegradedStatus() {
      return degradedStatus;
    }

    public void setDegradedStatus(String degradedStatus) {
      this.degradedStatus = degradedStatus;
    }
  }

  /** The settings of one Spring cache, tierstate.caches.&lt;name&gt;.*. */
  public static class CacheSettings {
    /** Time to live of the cache's entries (default tierstate.default-ttl). */
    private @Nullable Duration ttl;

    /** Tags added to every entry, so that invalidating a tag clears it across caches. */
    private List<String> tags = new ArrayList<>();

    /** Reload in the background when this fraction of the ttl is left, between 0 and 1 exclusive (default off). */
    private @Nullable Double refreshAhead;

    /** After the ttl, serve the stale value this long while one node reloads it (sync = true reads). */
    private @Nullable Duration staleWhileRevalidate;

    /** Serve the stale value this long when the loader fails (sync = true reads). */
    private @Nullable Duration staleIfError;

    /** Remember that the loader found nothing (a null result) for this long (sync = true reads). */
    private @Nullable Duration cacheAbsent;

    /**
     * The cache region its entries belong to ({@code CacheOptions.region}): meters per region and a
     * clear of the whole region on every node; 1 to 64 of {@code a-z A-Z 0-9 . _ -}.
     */
    private @Nullable String region;

    public @Nullable Duration getTtl() {
      return ttl;
    }

    public void setTtl(@Nullable Duration ttl) {
      this.ttl = ttl;
    }

    public List<String> getTags() {
      return tags;
    }

    public void setTags(List<String> tags) {
      this.tags = tags;
    }

    public @Nullable Double getRefreshAhead() {
      return refreshAhead;
    }

    public void setRefreshAhead(@Nullable Double refreshAhead) {
      this.refreshAhead = refreshAhead;
    }

    public @Nullable Duration getStaleWhileRevalidate() {
      return staleWhileRevalidate;
    }

    public void setStaleWhileRevalidate(@Nullable Duration staleWhileRevalidate) {
      this.staleWhileRevalidate = staleWhileRevalidate;
    }

    public @Nullable Duration getStaleIfError() {
      return staleIfError;
    }

    public void setStaleIfError(@Nullable Duration staleIfError) {
      this.staleIfError = staleIfError;
    }

    public @Nullable Duration getCacheAbsent() {
      return cacheAbsent;
    }

    public void setCacheAbsent(@Nullable Duration cacheAbsent) {
      this.cacheAbsent = cacheAbsent;
    }

    public @Nullable String getRegion() {
      return region;
    }

    public void setRegion(@Nullable String region) {
      this.region = region;
    }
  }
}
