package io.tierstate;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.codec.Codec;
import io.tierstate.internal.redis.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a Tierstate instance: where Redis is, how long to wait for it, and how the two
 * cache tiers behave.
 *
 * <p>Build one with {@link #builder()}, derive a changed copy with {@link #toBuilder()}, or read
 * the environment with {@link #fromEnv()}:
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>option</th><th>default</th></tr>
 *   <tr><td>{@code REDIS_URL}</td><td>{@link #redisEndpoint()}</td>
 *       <td>{@code redis://127.0.0.1:6379}</td></tr>
 *   <tr><td>{@code REDIS_USERNAME}</td><td>{@link #redisUsername()}</td><td>the URL's</td></tr>
 *   <tr><td>{@code REDIS_PASSWORD}</td><td>{@link #redisPassword()}</td><td>the URL's</td></tr>
 *   <tr><td>{@code REDIS_DB}</td><td>{@link #redisDatabase()}</td><td>the URL's, else 0</td></tr>
 *   <tr><td>{@code REDIS_REQUIRED}</td><td>{@link #redisRequired()}</td><td>false</td></tr>
 *   <tr><td>{@code REDIS_TLS_CA_FILE}</td><td>{@link #redisTlsCaFile()}</td>
 *       <td>the JVM's trusted CAs</td></tr>
 *   <tr><td>{@code REDIS_TLS_CERT_FILE}, {@code REDIS_TLS_KEY_FILE}</td>
 *       <td>{@link #redisTlsClientCertificate()}</td><td>none</td></tr>
 *   <tr><td>{@code TIERSTATE_COMMAND_TIMEOUT}</td><td>{@link #commandTimeout()}</td>
 *       <td>1s</td></tr>
 *   <tr><td>{@code TIERSTATE_CONNECT_TIMEOUT}</td><td>{@link #connectTimeout()}</td>
 *       <td>2s</td></tr>
 *   <tr><td>{@code TIERSTATE_NAMESPACE}</td><td>{@link #namespace()}</td><td>ts</td></tr>
 *   <tr><td>{@code TIERSTATE_L1_MAX_SIZE}</td><td>{@link #l1MaximumSize()}</td>
 *       <td>10000</td></tr>
 *   <tr><td>{@code TIERSTATE_L1_MAX_AGE}</td><td>{@link #l1MaximumAge()}</td><td>5m</td></tr>
 *   <tr><td>{@code TIERSTATE_DEGRADED_L1_TTL}</td><td>{@link #degradedL1Ttl()}</td>
 *       <td>5s</td></tr>
 *   <tr><td>{@code TIERSTATE_DEFAULT_TTL}</td><td>{@link #defaultTtl()}</td><td>5m</td></tr>
 *   <tr><td>{@code TIERSTATE_MAX_VALUE_BYTES}</td><td>{@link #maxValueBytes()}</td>
 *       <td>1048576</td></tr>
 *   <tr><td>{@code TIERSTATE_COMPRESSION_THRESHOLD}</td><td>{@link #compressionThreshold()}</td>
 *       <td>1024</td></tr>
 *   <tr><td>{@code TIERSTATE_LOAD_LEASE_TTL}</td><td>{@link #loadLeaseTtl()}</td><td>10s</td></tr>
 *   <tr><td>{@code TIERSTATE_INVALIDATION_LOG_MAX_LENGTH}</td>
 *       <td>{@link #invalidationLogMaxLength()}</td><td>100000</td></tr>
 *   <tr><td>{@code TIERSTATE_NODE_ID}</td><td>{@link #nodeId()}</td><td>random</td></tr>
 *   <tr><td>{@code TIERSTATE_BREAKER_FAILURE_THRESHOLD}</td>
 *       <td>{@link #breakerFailureThreshold()}</td><td>3</td></tr>
 *   <tr><td>{@code TIERSTATE_BREAKER_OPEN_DURATION}</td><td>{@link #breakerOpenDuration()}</td>
 *       <td>1s</td></tr>
 *   <tr><td>{@code TIERSTATE_DIRECT_READ_CONNECTIONS}</td>
 *       <td>{@link #directReadConnections()}</td><td>8</td></tr>
 *   <tr><td>{@code TIERSTATE_NODE_HEARTBEAT}</td><td>{@link #nodeHeartbeat()}</td><td>5s</td></tr>
 *   <tr><td>{@code TIERSTATE_HOT_KEY_SAMPLING}</td><td>{@link #hotKeySampling()}</td>
 *       <td>256</td></tr>
 * </table>
 *
 * <p>Durations are written {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or in
 * ISO-8601 ({@code PT5M}); every duration must be at least 1ms. Booleans are {@code true}/{@code
 * false}, {@code yes}/{@code no} or {@code 1}/{@code 0}, in any case. Empty variables count as
 * unset, and variables Tierstate does not know are ignored.
 *
 * <p>Every value is checked when it is set, and rules between options when the configuration is
 * built, so that a {@code TierstateConfig} that exists is valid. Errors from the builder name the
 * builder method; errors from {@link #fromEnv} name the environment variable.
 *
 * <p>Instances are immutable and thread-safe. {@link #toString()} never prints a password.
 */
public final class TierstateConfig {

  /** The Redis URL used when none is given: a standalone server on the local machine. */
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

  /** The Redis database used when neither the URL nor {@code REDIS_DB} names one. */
  public static final int DEFAULT_REDIS_DATABASE = 0;

  /** By default a Tierstate instance starts, degraded, when Redis is unreachable. */
  public static final boolean DEFAULT_REDIS_REQUIRED = false;

  /** How long a Redis command may take by default before it fails with a timeout. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);

  /** How long connecting to Redis may take by default. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** The default prefix of every Redis key that Tierstate writes. */
  public static final String DEFAULT_NAMESPACE = "ts";

  /** The default maximum number of entries in the in-process L1 cache. */
  public static final long DEFAULT_L1_MAXIMUM_SIZE = 10_000;

  /** The default hard maximum age of any L1 entry. */
  public static final Duration DEFAULT_L1_MAXIMUM_AGE = Duration.ofMinutes(5);

  /** The default lifetime of L1 entries written while invalidations cannot flow. */
  public static final Duration DEFAULT_DEGRADED_L1_TTL = Duration.ofSeconds(5);

  /** The default time to live of an entry written without one. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  /** The default maximum size of one encoded value: 1 MiB. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;

  /** The default size in bytes from which values are compressed. */
  public static final int DEFAULT_COMPRESSION_THRESHOLD = 1024;

  /** How long, by default, one node may hold the right to load a key. */
  public static final Duration DEFAULT_LOAD_LEASE_TTL = Duration.ofSeconds(10);

  /** The default number of invalidations kept in Redis for nodes that missed messages. */
  public static final long DEFAULT_INVALIDATION_LOG_MAX_LENGTH = 100_000;

  /** The default number of consecutive Redis failures that opens the circuit breaker. */
  public static final int DEFAULT_BREAKER_FAILURE_THRESHOLD = 3;

  /** How long the circuit breaker stays open by default before Redis is tried again. */
  public static final Duration DEFAULT_BREAKER_OPEN_DURATION = Duration.ofSeconds(1);

  /** The default number of connections per Redis server for reads on the caller's thread. */
  public static final int DEFAULT_DIRECT_READ_CONNECTIONS = 8;

  /** How often a node announces itself in Redis by default (see {@link #nodeHeartbeat()}). */
  public static final Duration DEFAULT_NODE_HEARTBEAT = Duration.ofSeconds(5);

  /** By default one cache read in this many is sampled for the hot keys. */
  public static final int DEFAULT_HOT_KEY_SAMPLING = 256;

  static final int MAX_DIRECT_READ_CONNECTIONS = 1024;
  static final int MAX_HOT_KEY_SAMPLING = 1 << 20;

  static final int MAX_DATABASE = 15;
  static final int MAX_VALUE_BYTES_LIMIT = 512 << 20;
  static final long MIN_INVALIDATION_LOG_MAX_LENGTH = 1_000;
  static final Duration MIN_DURATION = Duration.ofMillis(1);
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final String IDENTIFIER_RULE = "1 to 64 characters from A-Z a-z 0-9 _ . -";
  private static final RedisEndpoint DEFAULT_ENDPOINT = RedisEndpoint.parse(DEFAULT_REDIS_URL);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RedisEndpoint redisEndpoint;
  private final @Nullable String redisUsernameOverride;
  private final @Nullable String redisPasswordOverride;
  private final @Nullable Integer redisDatabaseOverride;
  private final @Nullable String redisUsername;
  private final @Nullable String redisPassword;
  private final int redisDatabase;
  private final boolean redisRequired;
  private final @Nullable Path redisTlsCaFile;
  private final @Nullable TlsClientCertificate redisTlsClientCertificate;
  private final Duration commandTimeout;
  private final Duration connectTimeout;
  private final String namespace;
  private final long l1MaximumSize;
  private final Duration l1MaximumAge;
  private final Duration degradedL1Ttl;
  private final Duration defaultTtl;
  private final int maxValueBytes;
  private final int compressionThreshold;
  private final Duration loadLeaseTtl;
  private final long invalidationLogMaxLength;
  private final String nodeId;
  private final int breakerFailureThreshold;
  private final int directReadConnections;
  private final Duration breakerOpenDuration;
  private final Duration nodeHeartbeat;
  private final int hotKeySampling;
  private final @Nullable MeterRegistry meterRegistry;
  private final @Nullable Codec codec;

  private TierstateConfig(Builder builder, String nodeId) {
    redisEndpoint = builder.redisEndpoint;
    redisUsernameOverride = builder.redisUsername;
    redisPasswordOverride = builder.redisPassword;
    redisDatabaseOverride = builder.redisDatabase;
    redisUsername =
        redisUsernameOverride != null ? redisUsernameOverride : redisEndpoint.urlUsername();
    redisPassword =
        redisPasswordOverride != null ? redisPasswordOverride : redisEndpoint.urlPassword();
    redisDatabase =
        redisDatabaseOverride != null ? redisDatabaseOverride : redisEndpoint.urlDatabase();
    redisRequired = builder.redisRequired;
    redisTlsCaFile = builder.redisTlsCaFile;
    redisTlsClientCertificate = builder.redisTlsClientCertificate;
    commandTimeout = builder.commandTimeout;
    connectTimeout = builder.connectTimeout;
    namespace = builder.namespace;
    l1MaximumSize = builder.l1MaximumSize;
    l1MaximumAge = builder.l1MaximumAge;
    degradedL1Ttl = builder.degradedL1Ttl;
    defaultTtl = builder.defaultTtl;
    maxValueBytes = builder.maxValueBytes;
    compressionThreshold = builder.compressionThreshold;
    loadLeaseTtl = builder.loadLeaseTtl;
    invalidationLogMaxLength = builder.invalidationLogMaxLength;
    this.nodeId = nodeId;
    breakerFailureThreshold = builder.breakerFailureThreshold;
    directReadConnections = builder.directReadConnections;
    breakerOpenDuration = builder.breakerOpenDuration;
    nodeHeartbeat = builder.nodeHeartbeat;
    hotKeySampling = builder.hotKeySampling;
    meterRegistry = builder.meterRegistry;
    codec = builder.codec;
  }

  /**
   * A builder with every option at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A configuration with every option at its default, and a new random {@link #nodeId()}.
   *
   * @return a new configuration
   */
  public static TierstateConfig defaults() {
    return builder().build();
  }

  /**
   * Reads the configuration from the process environment ({@link System#getenv()}); see the class
   * description for the variables.
   *
   * @return a new configuration
   * @throws IllegalArgumentException if a variable has an invalid value, or two variables
   *     contradict each other; the message names the variable and quotes the value (never a
   *     password)
   */
  public static TierstateConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /**
   * Reads the configuration from {@code env}, a map of environment variables; see the class
   * description for the variables. Variables that are absent or empty keep their defaults.
   *
   * @param env the variables, for example {@code Map.of("REDIS_URL", "redis://cache:6379")}
   * @return a new configuration
   * @throws NullPointerException if {@code env} is null
   * @throws IllegalArgumentException if a variable has an invalid value: a Redis URL that {@link
   *     RedisEndpoint#parse} rejects, a number that is not a whole number or is out of range, a
   *     duration that is malformed or shorter than 1ms, a boolean other than {@code
   *     true/false/yes/no/1/0}, or a namespace or node id with characters other than {@code A-Z a-z
   *     0-9 _ . -}; or if the variables break a rule that {@link Builder#build()} checks. The
   *     message names the variable and quotes the value (never a password).
   */
  public static TierstateConfig fromEnv(Map<String, String> env) {
    return TierstateEnv.read(requireNonNull(env, "env"));
  }

  /**
   * A builder that starts from this configuration, to derive a changed copy. Options that this
   * configuration took from its Redis URL (credentials, database) stay tied to the URL, so giving
   * the builder another endpoint takes that endpoint's. The {@link #nodeId()} is kept.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.redisEndpoint = redisEndpoint;
    b.redisUsername = redisUsernameOverride;
    b.redisPassword = redisPasswordOverride;
    b.redisDatabase = redisDatabaseOverride;
    b.redisRequired = redisRequired;
    b.redisTlsCaFile = redisTlsCaFile;
    b.redisTlsClientCertificate = redisTlsClientCertificate;
    b.commandTimeout = commandTimeout;
    b.connectTimeout = connectTimeout;
    b.namespace = namespace;
    b.l1MaximumSize = l1MaximumSize;
    b.l1MaximumAge = l1MaximumAge;
    b.degradedL1Ttl = degradedL1Ttl;
    b.defaultTtl = defaultTtl;
    b.maxValueBytes = maxValueBytes;
    b.compressionThreshold = compressionThreshold;
    b.loadLeaseTtl = loadLeaseTtl;
    b.invalidationLogMaxLength = invalidationLogMaxLength;
    b.nodeId = nodeId;
    b.breakerFailureThreshold = breakerFailureThreshold;
    b.directReadConnections = directReadConnections;
    b.breakerOpenDuration = breakerOpenDuration;
    b.nodeHeartbeat = nodeHeartbeat;
    b.hotKeySampling = hotKeySampling;
    b.meterRegistry = meterRegistry;
    b.codec = codec;
    return b;
  }

  /**
   * {@return where Redis is ({@code REDIS_URL})}; default {@value #DEFAULT_REDIS_URL}. To connect,
   * use {@link RedisEndpoint#toRedisUris(TierstateConfig)}, which applies the credentials, database
   * and command timeout of this configuration.
   */
  public RedisEndpoint redisEndpoint() {
    return redisEndpoint;
  }

  /**
   * {@return the Redis ACL username}: {@code REDIS_USERNAME} if set, else the one in the URL, else
   * none (the {@code default} user).
   */
  public Optional<String> redisUsername() {
    return Optional.ofNullable(redisUsername);
  }

  /**
   * {@return the Redis password}: {@code REDIS_PASSWORD} if set, else the one in the URL, else
   * none.
   */
  public Optional<String> redisPassword() {
    return Optional.ofNullable(redisPassword);
  }

  /**
   * {@return the Redis database, 0 to 15}: {@code REDIS_DB} if set, else the one in the URL ({@code
   * redis://host/3}), else {@value #DEFAULT_REDIS_DATABASE}. Always 0 for a Redis Cluster.
   */
  public int redisDatabase() {
    return redisDatabase;
  }

  /**
   * {@return whether Tierstate refuses to start, and fails calls, when Redis is unreachable}
   * ({@code REDIS_REQUIRED}); default {@value #DEFAULT_REDIS_REQUIRED}, which runs degraded on L1
   * and the loaders instead.
   */
  public boolean redisRequired() {
    return redisRequired;
  }

  /**
   * {@return the PEM file of the CA certificates that a TLS Redis ({@code rediss://}) must be
   * signed by} ({@code REDIS_TLS_CA_FILE}); empty, the default, trusts the JVM's CAs. Host names
   * are verified either way.
   */
  public Optional<Path> redisTlsCaFile() {
    return Optional.ofNullable(redisTlsCaFile);
  }

  /**
   * {@return the certificate this client presents to a TLS Redis that checks clients ({@code
   * tls-auth-clients yes})} ({@code REDIS_TLS_CERT_FILE} and {@code REDIS_TLS_KEY_FILE}); empty,
   * the default, presents none.
   */
  public Optional<TlsClientCertificate> redisTlsClientCertificate() {
    return Optional.ofNullable(redisTlsClientCertificate);
  }

  /**
   * A client certificate for mutual TLS: PEM files of the certificate chain and of its private key
   * (unencrypted PKCS#8, RSA or EC).
   *
   * @param certificateFile the certificate, then any intermediate CA certificates
   * @param keyFile the certificate's private key
   */
  public record TlsClientCertificate(Path certificateFile, Path keyFile) {
    /** Checks that neither file is null. */
    public TlsClientCertificate {
      requireNonNull(certificateFile, "certificateFile");
      requireNonNull(keyFile, "keyFile");
    }
  }

  /**
   * {@return how long a Redis command may take before it fails} ({@code
   * TIERSTATE_COMMAND_TIMEOUT}); default 1s.
   */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * {@return how long connecting to Redis may take} ({@code TIERSTATE_CONNECT_TIMEOUT}); default
   * 2s.
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * {@return the prefix of every Redis key Tierstate writes} ({@code TIERSTATE_NAMESPACE}); default
   * {@value #DEFAULT_NAMESPACE}. Services that share a Redis and must not share data use different
   * namespaces.
   */
  public String namespace() {
    return namespace;
  }

  /**
   * {@return the maximum number of entries in the in-process L1 cache} ({@code
   * TIERSTATE_L1_MAX_SIZE}); default {@value #DEFAULT_L1_MAXIMUM_SIZE}. 0 disables L1.
   */
  public long l1MaximumSize() {
    return l1MaximumSize;
  }

  /**
   * {@return the hard maximum age of any L1 entry, whatever its TTL} ({@code
   * TIERSTATE_L1_MAX_AGE}); default 5m. It bounds how long a lost invalidation can leave a stale
   * value in L1.
   */
  public Duration l1MaximumAge() {
    return l1MaximumAge;
  }

  /**
   * {@return the lifetime of L1 entries written while invalidations cannot flow}, because Redis is
   * down ({@code TIERSTATE_DEGRADED_L1_TTL}); default 5s. Never greater than {@link
   * #l1MaximumAge()}.
   */
  public Duration degradedL1Ttl() {
    return degradedL1Ttl;
  }

  /**
   * {@return the time to live of an entry written without one} ({@code TIERSTATE_DEFAULT_TTL});
   * default 5m.
   */
  public Duration defaultTtl() {
    return defaultTtl;
  }

  /**
   * {@return the maximum size in bytes of one encoded value} ({@code TIERSTATE_MAX_VALUE_BYTES}),
   * from 1 to 512 MiB (Redis' own limit); default {@value #DEFAULT_MAX_VALUE_BYTES}. Larger values
   * are rejected.
   */
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /**
   * {@return the size in bytes from which encoded values are compressed} ({@code
   * TIERSTATE_COMPRESSION_THRESHOLD}); default {@value #DEFAULT_COMPRESSION_THRESHOLD}.
   */
  public int compressionThreshold() {
    return compressionThreshold;
  }

  /**
   * {@return how long one node may hold the right to load a key for the whole cluster} ({@code
   * TIERSTATE_LOAD_LEASE_TTL}); default 10s. A dead holder delays the others by at most this long.
   */
  public Duration loadLeaseTtl() {
    return loadLeaseTtl;
  }

  /**
   * {@return how many invalidations the replayable log in Redis keeps}, at least 1000 ({@code
   * TIERSTATE_INVALIDATION_LOG_MAX_LENGTH}); default {@value #DEFAULT_INVALIDATION_LOG_MAX_LENGTH}.
   * A node that missed more than this clears its L1 instead of replaying.
   */
  public long invalidationLogMaxLength() {
    return invalidationLogMaxLength;
  }

  /**
   * {@return this node's name in invalidation messages and metrics} ({@code TIERSTATE_NODE_ID}): 1
   * to 64 characters from {@code A-Z a-z 0-9 _ . -}. When none is given, each built configuration
   * gets a random one of 12 hex digits.
   */
  public String nodeId() {
    return nodeId;
  }

  /**
   * {@return how many consecutive Redis failures open the circuit breaker} ({@code
   * TIERSTATE_BREAKER_FAILURE_THRESHOLD}); default {@value #DEFAULT_BREAKER_FAILURE_THRESHOLD}.
   */
  public int breakerFailureThreshold() {
    return breakerFailureThreshold;
  }

  /**
   * {@return how long the circuit breaker stays open before Redis is tried again} ({@code
   * TIERSTATE_BREAKER_OPEN_DURATION}); default 1s.
   */
  public Duration breakerOpenDuration() {
    return breakerOpenDuration;
  }

  /**
   * {@return how often this node announces itself in Redis} ({@code TIERSTATE_NODE_HEARTBEAT});
   * default 5s. Other nodes list it as stopped once three heartbeats are missing; see {@link
   * io.tierstate.nodes.ClusterNodes}.
   */
  public Duration nodeHeartbeat() {
    return nodeHeartbeat;
  }

  /**
   * {@return how many cache reads go by for each one sampled for the hot keys} ({@code
   * TIERSTATE_HOT_KEY_SAMPLING}); default {@value #DEFAULT_HOT_KEY_SAMPLING}, 0 turns sampling off
   * (then {@link io.tierstate.cache.TieredCache#hotKeys()} is empty and heartbeats carry no hot
   * keys). One read in N, chosen at random, enters a small decaying sketch; the others cost one
   * random draw. A smaller N finds cooler keys and estimates rates more closely, at more cost per
   * read; see docs/operations.md.
   */
  public int hotKeySampling() {
    return hotKeySampling;
  }

  /**
   * {@return how many connections per Redis server serve cache reads ({@code GET}, {@code MGET}) on
   * the caller's thread} ({@code TIERSTATE_DIRECT_READ_CONNECTIONS}); default {@value
   * #DEFAULT_DIRECT_READ_CONNECTIONS}, 0 to send every read through Lettuce's shared connection.
   *
   * <p>A read through Lettuce crosses threads twice (to Netty's event loop and back); a read on one
   * of these blocking connections costs one round trip, which halves an L2 hit's latency on
   * machines with few cores. A read never waits for one of them: when all are in use, it goes
   * through the shared connection, which pipelines concurrent commands. Size it for the readers
   * that run at once on a node; each connection is opened on first need. Not used over TLS.
   */
  public int directReadConnections() {
    return directReadConnections;
  }

  /**
   * {@return the registry that receives Tierstate's metrics}; empty means Tierstate creates its own
   * {@code SimpleMeterRegistry}. Not read from the environment.
   */
  public Optional<MeterRegistry> meterRegistry() {
    return Optional.ofNullable(meterRegistry);
  }

  /**
   * {@return the codec that turns values into bytes for Redis}; empty means Jackson JSON. Not read
   * from the environment.
   */
  public Optional<Codec> codec() {
    return Optional.ofNullable(codec);
  }

  /** The {@code REDIS_USERNAME} override, or null to use the URL's. */
  @Nullable String redisUsernameOverride() {
    return redisUsernameOverride;
  }

  /** The {@code REDIS_PASSWORD} override, or null to use the URL's. */
  @Nullable String redisPasswordOverride() {
    return redisPasswordOverride;
  }

  /** The {@code REDIS_DB} override, or null to use the URL's. */
  @Nullable Integer redisDatabaseOverride() {
    return redisDatabaseOverride;
  }

  /** Every option, with passwords printed as {@code ****}. */
  @Override
  public String toString() {
    return "TierstateConfig{redisEndpoint="
        + redisEndpoint
        + ", redisUsername="
        + (redisUsername == null ? "none" : redisUsername)
        + ", redisPassword="
        + (redisPassword == null ? "none" : "****")
        + ", redisDatabase="
        + redisDatabase
        + ", redisRequired="
        + redisRequired
        + ", redisTlsCaFile="
        + (redisTlsCaFile == null ? "default" : redisTlsCaFile)
        + ", redisTlsClientCertificate="
        + (redisTlsClientCertificate == null ? "none" : redisTlsClientCertificate.certificateFile())
        + ", commandTimeout="
        + format(commandTimeout)
        + ", connectTimeout="
        + format(connectTimeout)
        + ", namespace="
        + namespace
        + ", l1MaximumSize="
        + l1MaximumSize
        + ", l1MaximumAge="
        + format(l1MaximumAge)
        + ", degradedL1Ttl="
        + format(degradedL1Ttl)
        + ", defaultTtl="
        + format(defaultTtl)
        + ", maxValueBytes="
        + maxValueBytes
        + ", compressionThreshold="
        + compressionThreshold
        + ", loadLeaseTtl="
        + format(loadLeaseTtl)
        + ", invalidationLogMaxLength="
        + invalidationLogMaxLength
        + ", nodeId="
        + nodeId
        + ", breakerFailureThreshold="
        + breakerFailureThreshold
        + ", breakerOpenDuration="
        + format(breakerOpenDuration)
        + ", directReadConnections="
        + directReadConnections
        + ", nodeHeartbeat="
        + format(nodeHeartbeat)
        + ", hotKeySampling="
        + hotKeySampling
        + ", meterRegistry="
        + (meterRegistry == null ? "default" : meterRegistry.getClass().getSimpleName())
        + ", codec="
        + (codec == null ? "default" : codec.getClass().getSimpleName())
        + "}";
  }

  /**
   * Builds a {@link TierstateConfig}. Each setter checks its value at once; {@link #build()} checks
   * the rules between options. Errors name the setter.
   *
   * <p>Not thread-safe: confine a builder to one thread.
   */
  public static final class Builder {
    RedisEndpoint redisEndpoint = DEFAULT_ENDPOINT;
    @Nullable String redisUsername;
    @Nullable String redisPassword;
    @Nullable Integer redisDatabase;
    boolean redisRequired = DEFAULT_REDIS_REQUIRED;
    @Nullable Path redisTlsCaFile;
    @Nullable TlsClientCertificate redisTlsClientCertificate;
    // Read from the environment one at a time; build() pairs them.
    @Nullable Path redisTlsCertFile;
    @Nullable Path redisTlsKeyFile;
    Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    String namespace = DEFAULT_NAMESPACE;
    long l1MaximumSize = DEFAULT_L1_MAXIMUM_SIZE;
    Duration l1MaximumAge = DEFAULT_L1_MAXIMUM_AGE;
    Duration degradedL1Ttl = DEFAULT_DEGRADED_L1_TTL;
    Duration defaultTtl = DEFAULT_TTL;
    int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    int compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD;
    Duration loadLeaseTtl = DEFAULT_LOAD_LEASE_TTL;
    long invalidationLogMaxLength = DEFAULT_INVALIDATION_LOG_MAX_LENGTH;
    @Nullable String nodeId;
    int breakerFailureThreshold = DEFAULT_BREAKER_FAILURE_THRESHOLD;
    int directReadConnections = DEFAULT_DIRECT_READ_CONNECTIONS;
    Duration breakerOpenDuration = DEFAULT_BREAKER_OPEN_DURATION;
    Duration nodeHeartbeat = DEFAULT_NODE_HEARTBEAT;
    int hotKeySampling = DEFAULT_HOT_KEY_SAMPLING;
    @Nullable MeterRegistry meterRegistry;
    @Nullable Codec codec;

    private Builder() {}

    /**
     * Sets where Redis is; default {@value TierstateConfig#DEFAULT_REDIS_URL}.
     *
     * @param endpoint where Redis is
     * @return this builder
     * @throws NullPointerException if {@code endpoint} is null
     */
    public Builder redisEndpoint(RedisEndpoint endpoint) {
      redisEndpoint = requireNonNull(endpoint, "redisEndpoint");
      return this;
    }

    /**
     * Sets where Redis is, as a URL that {@link RedisEndpoint#parse} reads.
     *
     * @param url a Redis URL, such as {@code redis://cache:6379/2}
     * @return this builder
     * @throws NullPointerException if {@code url} is null
     * @throws IllegalArgumentException if {@link RedisEndpoint#parse} rejects {@code url}
     */
    public Builder redisUrl(String url) {
      redisEndpoint = RedisEndpoint.parse(requireNonNull(url, "redisUrl"), "redisUrl");
      return this;
    }

    /**
     * Sets the Redis ACL username, overriding the one in the URL; null uses the URL's.
     *
     * @param username the ACL username, or null
     * @return this builder
     * @throws IllegalArgumentException if {@code username} is empty
     */
    public Builder redisUsername(@Nullable String username) {
      checkArgument(username == null || !username.isEmpty(), "redisUsername must not be empty");
      redisUsername = username;
      return this;
    }

    /**
     * Sets the Redis password, overriding the one in the URL; null uses the URL's.
     *
     * @param password the password, or null
     * @return this builder
     * @throws IllegalArgumentException if {@code password} is empty
     */
    public Builder redisPassword(@Nullable String password) {
      checkArgument(password == null || !password.isEmpty(), "redisPassword must not be empty");
      redisPassword = password;
      return this;
    }

    /**
     * Sets the Redis database, overriding the one in the URL.
     *
     * @param database the database number
     * @return this builder
     * @throws IllegalArgumentException if {@code database} is not from 0 to 15
     */
    public Builder redisDatabase(int database) {
      redisDatabase = (int) checkRange(database, 0, MAX_DATABASE, "redisDatabase");
      return this;
    }

    /**
     * Sets whether Tierstate fails instead of running degraded when Redis is unreachable; default
     * {@value TierstateConfig#DEFAULT_REDIS_REQUIRED}.
     *
     * @param required whether Redis is required
     * @return this builder
     */
    public Builder redisRequired(boolean required) {
      redisRequired = required;
      return this;
    }

    /**
     * Sets the PEM file of the CA certificates a TLS Redis must be signed by, instead of the JVM's;
     * for servers with a private CA. The endpoint must use TLS ({@code rediss://}). See {@link
     * TierstateConfig#redisTlsCaFile()}.
     *
     * @param caFile a readable PEM file with at least one certificate, or null for the JVM's CAs
     * @return this builder
     */
    public Builder redisTlsCaFile(@Nullable Path caFile) {
      redisTlsCaFile = caFile;
      return this;
    }

    /**
     * Sets the certificate to present to a TLS Redis that checks clients (mutual TLS). The endpoint
     * must use TLS. See {@link TierstateConfig#redisTlsClientCertificate()}.
     *
     * @param certificateFile PEM certificate chain, or null (with {@code keyFile}) for none
     * @param keyFile PEM private key (unencrypted PKCS#8, RSA or EC), or null for none
     * @return this builder
     * @throws IllegalArgumentException if only one of the two is null
     */
    public Builder redisTlsClientCertificate(
        @Nullable Path certificateFile, @Nullable Path keyFile) {
      if ((certificateFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException(
            "redisTlsClientCertificate needs both a certificate file and a key file, or neither");
      }
      redisTlsClientCertificate =
          certificateFile == null || keyFile == null
              ? null
              : new TlsClientCertificate(certificateFile, keyFile);
      return this;
    }

    /**
     * Sets how long a Redis command may take; default 1s.
     *
     * @param timeout the longest a command may take
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is shorter than 1ms
     */
    public Builder commandTimeout(Duration timeout) {
      commandTimeout = checkDuration(timeout, "commandTimeout");
      return this;
    }

    /**
     * Sets how long connecting to Redis may take; default 2s.
     *
     * @param timeout the longest a connection attempt may take
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is shorter than 1ms
     */
    public Builder connectTimeout(Duration timeout) {
      connectTimeout = checkDuration(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the prefix of every Redis key; default {@value TierstateConfig#DEFAULT_NAMESPACE}.
     *
     * @param namespace the key prefix
     * @return this builder
     * @throws NullPointerException if {@code namespace} is null
     * @throws IllegalArgumentException if {@code namespace} is not 1 to 64 characters from {@code
     *     A-Z a-z 0-9 _ . -} (':', braces and glob characters would change what keys mean)
     */
    public Builder namespace(String namespace) {
      this.namespace = checkIdentifier(namespace, "namespace");
      return this;
    }

    /**
     * Sets the maximum number of L1 entries, 0 to disable L1; default {@value
     * TierstateConfig#DEFAULT_L1_MAXIMUM_SIZE}.
     *
     * @param maximumSize the maximum number of L1 entries
     * @return this builder
     * @throws IllegalArgumentException if {@code maximumSize} is negative
     */
    public Builder l1MaximumSize(long maximumSize) {
      l1MaximumSize = checkRange(maximumSize, 0, Long.MAX_VALUE, "l1MaximumSize");
      return this;
    }

    /**
     * Sets the hard maximum age of any L1 entry; default 5m.
     *
     * @param maximumAge the maximum age of an L1 entry
     * @return this builder
     * @throws NullPointerException if {@code maximumAge} is null
     * @throws IllegalArgumentException if {@code maximumAge} is shorter than 1ms
     */
    public Builder l1MaximumAge(Duration maximumAge) {
      l1MaximumAge = checkDuration(maximumAge, "l1MaximumAge");
      return this;
    }

    /**
     * Sets the lifetime of L1 entries written while Redis is down; default 5s. {@link #build()}
     * checks that it is not greater than {@link #l1MaximumAge}.
     *
     * @param ttl the lifetime of L1 entries in degraded mode
     * @return this builder
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is shorter than 1ms
     */
    public Builder degradedL1Ttl(Duration ttl) {
      degradedL1Ttl = checkDuration(ttl, "degradedL1Ttl");
      return this;
    }

    /**
     * Sets the time to live of entries written without one; default 5m.
     *
     * @param ttl the default time to live
     * @return this builder
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is shorter than 1ms
     */
    public Builder defaultTtl(Duration ttl) {
      defaultTtl = checkDuration(ttl, "defaultTtl");
      return this;
    }

    /**
     * Sets the maximum size of one encoded value; default 1 MiB.
     *
     * @param bytes the maximum encoded size in bytes
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is not from 1 to 536870912 (512 MiB)
     */
    public Builder maxValueBytes(int bytes) {
      maxValueBytes = (int) checkRange(bytes, 1, MAX_VALUE_BYTES_LIMIT, "maxValueBytes");
      return this;
    }

    /**
     * Sets the size from which values are compressed, 0 to compress every value; default {@value
     * TierstateConfig#DEFAULT_COMPRESSION_THRESHOLD}.
     *
     * @param bytes the smallest encoded size in bytes that is compressed
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder compressionThreshold(int bytes) {
      compressionThreshold = (int) checkRange(bytes, 0, Integer.MAX_VALUE, "compressionThreshold");
      return this;
    }

    /**
     * Sets how long one node may hold the right to load a key; default 10s.
     *
     * @param ttl how long a load lease lasts
     * @return this builder
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is shorter than 1ms
     */
    public Builder loadLeaseTtl(Duration ttl) {
      loadLeaseTtl = checkDuration(ttl, "loadLeaseTtl");
      return this;
    }

    /**
     * Sets how many invalidations the replayable log keeps; default {@value
     * TierstateConfig#DEFAULT_INVALIDATION_LOG_MAX_LENGTH}.
     *
     * @param maxLength the number of invalidations kept
     * @return this builder
     * @throws IllegalArgumentException if {@code maxLength} is less than 1000
     */
    public Builder invalidationLogMaxLength(long maxLength) {
      invalidationLogMaxLength =
          checkRange(
              maxLength,
              MIN_INVALIDATION_LOG_MAX_LENGTH,
              Long.MAX_VALUE,
              "invalidationLogMaxLength");
      return this;
    }

    /**
     * Sets this node's name; null (the default) draws a random one in {@link #build()}.
     *
     * @param nodeId the node name, or null for a random one
     * @return this builder
     * @throws IllegalArgumentException if {@code nodeId} is not 1 to 64 characters from {@code A-Z
     *     a-z 0-9 _ . -}
     */
    public Builder nodeId(@Nullable String nodeId) {
      this.nodeId = nodeId == null ? null : checkIdentifier(nodeId, "nodeId");
      return this;
    }

    /**
     * Sets how many consecutive Redis failures open the circuit breaker; default {@value
     * TierstateConfig#DEFAULT_BREAKER_FAILURE_THRESHOLD}.
     *
     * @param failures the number of consecutive failures
     * @return this builder
     * @throws IllegalArgumentException if {@code failures} is less than 1
     */
    public Builder breakerFailureThreshold(int failures) {
      breakerFailureThreshold =
          (int) checkRange(failures, 1, Integer.MAX_VALUE, "breakerFailureThreshold");
      return this;
    }

    /**
     * Sets how long the circuit breaker stays open before Redis is tried again; default 1s.
     *
     * @param duration how long the breaker stays open
     * @return this builder
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is shorter than 1ms
     */
    public Builder breakerOpenDuration(Duration duration) {
      breakerOpenDuration = checkDuration(duration, "breakerOpenDuration");
      return this;
    }

    /**
     * Sets how often this node announces itself in Redis; default 5s. See {@link
     * TierstateConfig#nodeHeartbeat()}.
     *
     * @param interval the time between two heartbeats
     * @return this builder
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException if {@code interval} is shorter than 1ms
     */
    public Builder nodeHeartbeat(Duration interval) {
      nodeHeartbeat = checkDuration(interval, "nodeHeartbeat");
      return this;
    }

    /**
     * Sets how many cache reads go by for each one sampled for the hot keys, 0 to turn sampling
     * off; default {@value TierstateConfig#DEFAULT_HOT_KEY_SAMPLING}. See {@link
     * TierstateConfig#hotKeySampling()}.
     *
     * @param oneIn one read in this many is sampled, or 0 for none
     * @return this builder
     * @throws IllegalArgumentException if {@code oneIn} is negative or above 1048576
     */
    public Builder hotKeySampling(int oneIn) {
      hotKeySampling = (int) checkRange(oneIn, 0, MAX_HOT_KEY_SAMPLING, "hotKeySampling");
      return this;
    }

    /**
     * Sets how many connections per Redis server serve cache reads on the caller's thread; default
     * {@value TierstateConfig#DEFAULT_DIRECT_READ_CONNECTIONS}, 0 to read through Lettuce's shared
     * connection only. See {@link TierstateConfig#directReadConnections()}.
     *
     * @param connections the most connections to one server
     * @return this builder
     * @throws IllegalArgumentException if {@code connections} is negative or above 1024
     */
    public Builder directReadConnections(int connections) {
      directReadConnections =
          (int) checkRange(connections, 0, MAX_DIRECT_READ_CONNECTIONS, "directReadConnections");
      return this;
    }

    /**
     * Sets the registry that receives Tierstate's metrics; null (the default) lets Tierstate create
     * a {@code SimpleMeterRegistry}.
     *
     * @param registry the registry, or null
     * @return this builder
     */
    public Builder meterRegistry(@Nullable MeterRegistry registry) {
      meterRegistry = registry;
      return this;
    }

    /**
     * Sets the codec for values stored in Redis; null (the default) uses Jackson JSON.
     *
     * @param codec the codec, or null
     * @return this builder
     */
    public Builder codec(@Nullable Codec codec) {
      this.codec = codec;
      return this;
    }

    /**
     * Checks the rules between options and builds the configuration. The builder can be used again
     * afterwards.
     *
     * @return a new configuration
     * @throws IllegalArgumentException if {@code degradedL1Ttl} is greater than {@code
     *     l1MaximumAge}; if the endpoint is a Redis Cluster and {@code redisDatabase} is not 0; or
     *     if there is a username (from {@code redisUsername} or the URL) but no password
     */
    public TierstateConfig build() {
      return build(Source.BUILDER);
    }

    TierstateConfig build(Source source) {
      if (degradedL1Ttl.compareTo(l1MaximumAge) > 0) {
        throw new IllegalArgumentException(
            TierstateEnv.Option.DEGRADED_L1_TTL.in(source)
                + " was "
                + format(degradedL1Ttl)
                + " but must not be greater than "
                + TierstateEnv.Option.L1_MAXIMUM_AGE.in(source)
                + " ("
                + format(l1MaximumAge)
                + ")");
      }
      if (redisEndpoint.mode() == RedisEndpoint.Mode.CLUSTER
          && redisDatabase != null
          && redisDatabase != 0) {
        throw new IllegalArgumentException(
            TierstateEnv.Option.REDIS_DATABASE.in(source)
                + " was "
                + redisDatabase
                + " but must be 0 for a Redis Cluster (clusters only have database 0)");
      }
      boolean hasUsername = redisUsername != null || redisEndpoint.urlUsername() != null;
      boolean hasPassword = redisPassword != null || redisEndpoint.urlPassword() != null;
      if (hasUsername && !hasPassword) {
        throw new IllegalArgumentException(
            TierstateEnv.Option.REDIS_USERNAME.in(source)
                + " requires a password: set "
                + TierstateEnv.Option.REDIS_PASSWORD.in(source)
                + " or put one in "
                + TierstateEnv.Option.REDIS_URL.in(source)
                + " (user:password@host)");
      }
      if (redisTlsCaFile != null) {
        checkCaFile(redisTlsCaFile, source);
      }
      if (redisTlsCertFile != null || redisTlsKeyFile != null) {
        if (redisTlsCertFile == null || redisTlsKeyFile == null) {
          throw new IllegalArgumentException(
              TierstateEnv.Option.REDIS_TLS_CERT_FILE.env
                  + " and "
                  + TierstateEnv.Option.REDIS_TLS_KEY_FILE.env
                  + " go together: set both for a client certificate, or neither");
        }
        redisTlsClientCertificate = new TlsClientCertificate(redisTlsCertFile, redisTlsKeyFile);
      }
      if (redisTlsClientCertificate != null) {
        checkClientCertificate(redisTlsClientCertificate, source);
      }
      return new TierstateConfig(this, nodeId != null ? nodeId : randomNodeId());
    }

    /**
     * A client certificate must go with TLS and be readable: found now rather than at the first
     * connect.
     */
    private void checkClientCertificate(TlsClientCertificate certificate, Source source) {
      String option =
          source == Source.BUILDER
              ? TierstateEnv.Option.REDIS_TLS_CERT_FILE.method
              : TierstateEnv.Option.REDIS_TLS_CERT_FILE.env
                  + " and "
                  + TierstateEnv.Option.REDIS_TLS_KEY_FILE.env;
      if (!redisEndpoint.tls()) {
        throw new IllegalArgumentException(
            option
                + " set, but "
                + TierstateEnv.Option.REDIS_URL.in(source)
                + " does not use TLS: use rediss://, rediss-sentinel:// or rediss-cluster://");
      }
      String certificateName = TierstateEnv.Option.REDIS_TLS_CERT_FILE.in(source);
      String keyName = TierstateEnv.Option.REDIS_TLS_KEY_FILE.in(source);
      try {
        if (TlsTrust.certificates(certificate.certificateFile()).isEmpty()) {
          throw new IllegalArgumentException(
              certificateName
                  + " '"
                  + certificate.certificateFile()
                  + "' holds no PEM certificate");
        }
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            certificateName
                + " '"
                + certificate.certificateFile()
                + "' cannot be read as PEM certificates: "
                + e.getMessage(),
            e);
      }
      try {
        TlsTrust.privateKey(certificate.keyFile());
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            keyName
                + " '"
                + certificate.keyFile()
                + "' cannot be read as a private key: "
                + e.getMessage(),
            e);
      }
    }

    /**
     * A CA file must go with TLS and hold certificates: found now rather than at the first connect.
     */
    private void checkCaFile(Path caFile, Source source) {
      String option = TierstateEnv.Option.REDIS_TLS_CA_FILE.in(source);
      if (!redisEndpoint.tls()) {
        throw new IllegalArgumentException(
            option
                + " is set, but "
                + TierstateEnv.Option.REDIS_URL.in(source)
                + " does not use TLS: use rediss://, rediss-sentinel:// or rediss-cluster://, or unset "
                + option);
      }
      try {
        if (TlsTrust.certificates(caFile).isEmpty()) {
          throw new IllegalArgumentException(option + " '" + caFile + "' holds no PEM certificate");
        }
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            option + " '" + caFile + "' cannot be read as PEM certificates: " + e.getMessage(), e);
      }
    }
  }

  /** Who set the options, which decides how errors name them. */
  enum Source {
    BUILDER,
    ENVIRONMENT
  }

  /** Durations the way users write them ({@code 5m}, {@code 500ms}), else ISO-8601. */
  static String format(Duration duration) {
    if (duration.isNegative()
        || duration.isZero()
        || !duration.truncatedTo(ChronoUnit.MILLIS).equals(duration)) {
      return duration.toString();
    }
    long millis;
    try {
      millis = duration.toMillis();
    } catch (ArithmeticException e) {
      return duration.toString();
    }
    long[] sizes = {86_400_000, 3_600_000, 60_000, 1_000};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    return millis + "ms";
  }

  static String range(long min, long max) {
    return max == Long.MAX_VALUE || max == Integer.MAX_VALUE
        ? ">= " + min
        : "from " + min + " to " + max;
  }

  private static void checkArgument(boolean valid, String message) {
    if (!valid) {
      throw new IllegalArgumentException(message);
    }
  }

  private static long checkRange(long value, long min, long max, String name) {
    checkArgument(
        value >= min && value <= max, name + " must be " + range(min, max) + ", but was " + value);
    return value;
  }

  private static Duration checkDuration(Duration duration, String name) {
    requireNonNull(duration, name);
    checkArgument(
        duration.compareTo(MIN_DURATION) >= 0,
        name + " must be at least 1ms, but was " + format(duration));
    return duration;
  }

  private static String checkIdentifier(String value, String name) {
    requireNonNull(value, name);
    checkArgument(
        IDENTIFIER.matcher(value).matches(),
        name + " must be " + IDENTIFIER_RULE + ", but was '" + value + "'");
    return value;
  }

  private static String randomNodeId() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
