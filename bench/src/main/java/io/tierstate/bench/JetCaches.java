package io.tierstate.bench;

import com.alicp.jetcache.Cache;
import com.alicp.jetcache.CacheValueHolder;
import com.alicp.jetcache.redis.lettuce.RedisLettuceCacheBuilder;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JetCache's Redis cache on Lettuce, as an application would build it without Spring, with a
 * Jackson value codec so that it decodes the same JSON as the other adapters.
 */
final class JetCaches {
  private JetCaches() {}

  /** Long enough that nothing expires during a run. */
  static final long EXPIRE_HOURS = 1;

  /** JetCache's remote cache on {@code client}, keys under {@code prefix}. */
  static Cache<String, Value> remote(RedisClient client, String prefix) {
    JacksonHolderCodec codec = new JacksonHolderCodec();
    return RedisLettuceCacheBuilder.createRedisLettuceCacheBuilder()
        .redisClient(client)
        .keyPrefix(prefix)
        .keyConvertor(key -> key)
        .valueEncoder(codec::encode)
        .valueDecoder(codec::decode)
        .expireAfterWrite(EXPIRE_HOURS, TimeUnit.HOURS)
        // JetCache's default 1 s for a synchronous result fails a PUT_ALL of 10,000 entries on a
        // busy host (the CI run on a load of 9 did): the benchmarks measure reads, not this limit.
        .asyncResultTimeoutInMillis(TimeUnit.SECONDS.toMillis(30))
        .buildCache();
  }

  /**
   * Encodes what JetCache stores: a value wrapped in one or more {@link CacheValueHolder} (the
   * two-level cache wraps twice), as the holders' expiry and access times followed by the value's
   * JSON.
   */
  static final class JacksonHolderCodec {
    private final JsonMapper mapper = JsonMapper.builder().build();
    private final ObjectReader reader = mapper.readerFor(Value.class);

    byte[] encode(Object holder) {
      List<CacheValueHolder<?>> holders = new ArrayList<>();
      Object value = holder;
      while (value instanceof CacheValueHolder<?> h) {
        holders.add(h);
        value = h.getValue();
      }
      byte[] json = Value.json((Value) value);
      ByteBuffer out = ByteBuffer.allocate(1 + 16 * holders.size() + json.length);
      out.put((byte) holders.size());
      for (CacheValueHolder<?> h : holders) {
        out.putLong(h.getExpireTime()).putLong(h.getAccessTime());
      }
      return out.put(json).array();
    }

    Object decode(byte[] bytes) {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      int depth = in.get();
      long[] times = new long[2 * depth];
      for (int i = 0; i < times.length; i++) {
        times[i] = in.getLong();
      }
      Object value;
      try {
        value = reader.readValue(bytes, in.position(), in.remaining());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (int i = depth - 1; i >= 0; i--) {
        CacheValueHolder<Object> h = new CacheValueHolder<>(value, 0);
        h.setExpireTime(times[2 * i]);
        h.setAccessTime(times[2 * i + 1]);
        value = h;
      }
      return value;
    }
  }
}
