package io.tierstate.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
    // Credentials as REDIS_URL spells them ([user:]password@), read without Lettuce's deprecated
    // getters.
    String userInfo = URI.create(redis.url()).getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String password = URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
      server.setPassword(password);
      if (colon > 0) {
        server.setUsername(URLDecoder.decode(userInfo.substring(0, colon), StandardCharsets.UTF_8));
      }
    }
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
