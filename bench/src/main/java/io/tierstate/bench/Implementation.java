package io.tierstate.bench;

/** The implementations a benchmark can run: its {@code implementation} parameter. */
public enum Implementation {
  /** Caffeine alone, {@code getIfPresent}: the ceiling for an L1 hit. */
  CAFFEINE {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new CaffeineAdapter(maximumSize);
    }
  },
  /** Tierstate with every key in L1: {@code cache().get(key, Value.class)}. */
  TIERSTATE_L1 {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new TierstateL1Adapter(redis, maximumSize);
    }
  },
  /** Lettuce sync {@code GET} and a Jackson {@code readValue}: the floor for an L2 hit. */
  LETTUCE_JACKSON {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new LettuceJacksonAdapter(redis);
    }
  },
  /**
   * Tierstate with L1 disabled ({@code l1MaximumSize(0)}), so that every read goes to Redis, on the
   * caller's thread (the default read path).
   */
  TIERSTATE_L2 {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new TierstateL2Adapter(redis, true);
    }
  },
  /**
   * {@code TIERSTATE_L2} with its direct read connections turned off ({@code
   * directReadConnections(0)}): every read through Lettuce's shared connection.
   */
  TIERSTATE_L2_SHARED {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new TierstateL2Adapter(redis, false);
    }
  },
  /** Redisson {@code RBucket<Value>.get} with a Jackson codec: an L2-hit peer. */
  REDISSON_BUCKET {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new RedissonBucketAdapter(redis);
    }
  },
  /** Redisson {@code RLocalCachedMap<String, Value>.get}, every key cached locally: an L1-hit peer. */
  REDISSON_LOCAL_CACHED_MAP {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new RedissonLocalCachedMapAdapter(redis, maximumSize);
    }
  },
  /** JetCache's two-level cache (Caffeine over Lettuce), every key local: an L1-hit peer. */
  JETCACHE_LOCAL {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new JetCacheLocalAdapter(redis, maximumSize);
    }
  },
  /** JetCache's remote cache on Lettuce, with a Jackson codec: an L2-hit peer. */
  JETCACHE_REMOTE {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new JetCacheRemoteAdapter(redis);
    }
  },
  /** Spring Data Redis's {@code RedisCache} (Lettuce, Jackson serializer): an L2-hit peer. */
  SPRING_DATA_REDIS {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new SpringDataRedisAdapter(redis);
    }
  },
  /**
   * A blocking {@code java.net.Socket} per thread, {@code GET} in hand-written RESP, then Jackson:
   * the floor of an L2 hit, with no client library at all.
   */
  SOCKET_FLOOR {
    @Override
    public CacheAdapter create(BenchRedis redis, int maximumSize) {
      return new SocketFloorAdapter(redis);
    }
  };

  /**
   * Creates the adapter. Implementations without a Redis tier ignore {@code redis}; those without
   * an in-process tier ignore {@code maximumSize}.
   */
  public abstract CacheAdapter create(BenchRedis redis, int maximumSize);
}
