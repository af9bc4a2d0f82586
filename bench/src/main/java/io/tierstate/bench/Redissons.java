package io.tierstate.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lettuce.core.RedisURI;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.codec.TypedJsonJacksonCodec;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;

/** Redisson clients for the benchmark's Redis, configured as an application would by default. */
final class Redissons {
  private Redissons() {}

  /** A client with Redisson's default single-server settings, pointed at {@code redis}. */
  static RedissonClient connect(BenchRedis redis) {
    RedisURI uri = RedisURI.create(redis.url());
    Config config = new Config();
    SingleServerConfig server =
        config
            .useSingleServer()
            .setAddress((uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort())
            .setDatabase(uri.getDatabase());
    URLCredentials.apply(redis.url(), server::setUsername, server::setPassword);
    return Redisson.create(config);
  }

  /**
   * Redisson's typed Jackson codec with a plain mapper, so values are stored as the same
   * {@value Value#JSON_BYTES} bytes of JSON as in the other adapters.
   */
  static TypedJsonJacksonCodec valueCodec() {
    return new TypedJsonJacksonCodec(Value.class, JsonMapper.builder().build());
  }

  /** The same for a map of {@code String} keys to values. */
  static TypedJsonJacksonCodec mapCodec() {
    return new TypedJsonJacksonCodec(String.class, Value.class, JsonMapper.builder().build());
  }
}
