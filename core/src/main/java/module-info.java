/**
 * Tierstate core: the tiered cache (Caffeine L1, Redis L2), invalidation, keys, codecs, metrics,
 * and the Redis primitives (locks, rate limits, sessions, pub/sub, write-behind).
 *
 * <p>Only the API packages are exported. The {@code io.tierstate.internal} packages are plumbing:
 * on the module path they cannot be reached, and on the classpath they are not an API either (no
 * public member of an API type names one; {@code ApiBoundaryUnitTests} keeps it so).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.tierstate.core {
  // Types of these modules appear in the API: MeterRegistry in the configuration and metrics,
  // PrometheusMeterRegistry in the metrics, ObjectMapper in JacksonCodec, Lettuce's RedisURI in
  // RedisEndpoint (the parsed REDIS_URL).
  requires transitive lettuce.core;
  requires transitive micrometer.core;
  requires transitive micrometer.registry.prometheus;
  requires transitive com.fasterxml.jackson.databind;
  // Nullness annotations on the API, needed to compile against it, not to run it.
  requires static transitive org.jspecify;

  // Lettuce's connection futures are Netty's (awaited when connecting).
  requires io.netty.common;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.github.luben.zstd_jni;
  requires org.slf4j;
  // WriteBehindOptions.isConnectionFailure recognizes JDBC connection failures.
  requires java.sql;

  exports io.tierstate;
  exports io.tierstate.audit;
  exports io.tierstate.cache;
  exports io.tierstate.codec;
  exports io.tierstate.keys;
  exports io.tierstate.lock;
  exports io.tierstate.metrics;
  exports io.tierstate.nodes;
  exports io.tierstate.patterns;
  exports io.tierstate.pubsub;
  exports io.tierstate.ratelimit;
  exports io.tierstate.session;
  exports io.tierstate.writebehind;
}
