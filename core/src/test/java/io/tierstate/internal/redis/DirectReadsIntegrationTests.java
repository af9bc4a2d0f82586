package io.tierstate.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCredentials;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import io.tierstate.ratelimit.RateLimitPolicy;
import io.tierstate.ratelimit.RateLimitResult;
import io.tierstate.session.NewSession;
import io.tierstate.session.Session;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisCluster;
import io.tierstate.testkit.RedisSentinelSetup;
import io.tierstate.testkit.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Cache reads on the caller's thread ({@link DirectReads}): what they serve, and how they hand
 * reads to Lettuce's shared connection when they cannot serve them, on every kind of deployment.
 */
class DirectReadsIntegrationTests {
  private static final CacheOptions HOUR = CacheOptions.ttl(Duration.ofHours(1));
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private static double reads(Tierstate node, String path) {
    MeterRegistry registry = node.metrics().registry();
    return registry.get(MeterNames.REDIS_READS).tag("path", path).counter().count();
  }

  private static Map<String, String> values(int count) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      values.put("item:" + i, "value-" + i);
    }
    return values;
  }

  /** Every L2 read of a node without L1, checked value by value. */
  private static void readEverything(Tierstate node, Map<String, String> values) {
    values.forEach((key, value) -> assertThat(node.cache().get(key, String.class)).contains(value));
    assertThat(node.cache().get("never-written", String.class)).isEmpty();
  }

  @Test
  void cacheReadsAreServedOnTheCallersThread() {
    try (Nodes nodes = Nodes.onSharedRedis()) {
      Tierstate node = nodes.start("a", config -> config.l1MaximumSize(0));
      Map<String, String> values = values(50);
      node.cache().setAll(values, HOUR);

      readEverything(node, values);
      List<String> keys = new ArrayList<>(values.keySet());
      keys.add("never-written");
      assertThat(node.cache().getAll(keys, String.class)).isEqualTo(values);

      assertThat(reads(node, "caller_thread")).isEqualTo(52); // 51 gets and one getAll
      assertThat(reads(node, "shared_connection")).isZero();
      assertThat(node.metrics().registry().get(MeterNames.REDIS_DIRECT_CONNECTIONS).gauge().value())
          .isEqualTo(1);
    }
  }

  @Test
  void rateLimitsAreDecidedOnTheCallersThreadOnceRedisHasTheScript() {
    try (Nodes nodes = Nodes.onSharedRedis()) {
      Tierstate node = nodes.start("a");
      Nodes.sharedRedis().command("SCRIPT", "FLUSH");
      RateLimitPolicy policy = RateLimitPolicy.fixedWindow(3, Duration.ofHours(1));
      double before = reads(node, "caller_thread");
      double sharedBefore = reads(node, "shared_connection");

      // The first call finds no script on the server (NOSCRIPT on the direct connection): Lettuce
      // loads it; every later one runs on the caller's thread. The count is kept across both.
      List<Boolean> allowed = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        RateLimitResult result = node.rateLimiter().limit("direct-rl", policy);
        assertThat(result.source()).isEqualTo(RateLimitResult.Source.REDIS);
        allowed.add(result.allowed());
      }

      assertThat(allowed).containsExactly(true, true, true, false, false);
      assertThat(reads(node, "shared_connection") - sharedBefore).isEqualTo(1);
      assertThat(reads(node, "caller_thread") - before).isEqualTo(4);
    }
  }

  @Test
  void sessionLookupsAreServedOnTheCallersThread() {
    try (Nodes nodes = Nodes.onSharedRedis()) {
      Tierstate node = nodes.start("a");
      String id =
          node.sessions()
              .create(
                  NewSession.builder("acme", "alice")
                      .roles(Set.of("admin"))
                      .attributes(Map.of("theme", "dark"))
                      .build())
              .id();
      double before = reads(node, "caller_thread");

      Session session = node.sessions().get(id).orElseThrow();
      assertThat(session.userId()).isEqualTo("alice");
      assertThat(session.roles()).containsExactly("admin");
      assertThat(session.attributes()).containsEntry("theme", "dark");
      node.sessions().delete(id);
      assertThat(node.sessions().get(id)).isEmpty(); // HGETALL of a missing key: an empty hash

      assertThat(reads(node, "caller_thread") - before).isEqualTo(2);
      assertThat(reads(node, "shared_connection")).isZero();
    }
  }

  @Test
  void valuesLargerThanTheReadBufferArriveWhole() {
    try (Nodes nodes = Nodes.onSharedRedis()) {
      Tierstate node =
          nodes.start(
              "a", config -> config.l1MaximumSize(0).compressionThreshold(Integer.MAX_VALUE));
      java.util.Random random = new java.util.Random(42);
      Map<String, String> values = new LinkedHashMap<>();
      for (int size : new int[] {0, 1, 16_000, 16_384, 16_385, 40_000, 300_000}) {
        StringBuilder text = new StringBuilder(size);
        random.ints(size, 'a', 'z' + 1).forEach(c -> text.append((char) c));
        values.put("large:" + size, text.toString());
      }
      node.cache().setAll(values, HOUR);

      values.forEach(
          (key, value) -> assertThat(node.cache().get(key, String.class)).contains(value));
      assertThat(node.cache().getAll(List.copyOf(values.keySet()), String.class)).isEqualTo(values);
      assertThat(reads(node, "caller_thread")).isEqualTo(values.size() + 1);
    }
  }

  @Test
  void turnedOffEveryReadUsesTheSharedConnection() {
    try (Nodes nodes = Nodes.onSharedRedis()) {
      Tierstate node = nodes.start("a", config -> config.l1MaximumSize(0).directReadConnections(0));
      Map<String, String> values = values(10);
      node.cache().setAll(values, HOUR);

      readEverything(node, values);

      assertThat(reads(node, "shared_connection")).isEqualTo(11);
      assertThat(reads(node, "caller_thread")).isZero();
      assertThat(node.metrics().registry().find(MeterNames.REDIS_DIRECT_CONNECTIONS).gauge())
          .isNull();
    }
  }

  @Test
  void aReadNeverWaitsForABusyConnection() throws Exception {
    RedisServer redis = Nodes.sharedRedis();
    redis.command("SET", "busy:key", "value");
    try (DirectReads direct =
        new DirectReads(
            ReadRouters.standalone(io.lettuce.core.RedisURI.create(redis.uri())),
            1,
            null,
            0,
            TIMEOUT,
            Duration.ofSeconds(5),
            null)) {
      assertThat(direct.get("busy:key")).isNotNull(); // opens the only connection
      redis.pause();
      CompletableFuture<DirectReads.Reply> holder;
      try {
        holder = CompletableFuture.supplyAsync(() -> direct.get("busy:key"));
        Await.until(
            "the first read holds the only connection", () -> direct.idleConnections() == 0);
        assertThat(holder).as("blocked on the paused server").isNotDone();

        long start = System.nanoTime();
        assertThat(direct.get("busy:key")).as("left to the shared connection").isNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
      } finally {
        redis.resume();
      }
      DirectReads.Reply reply = holder.get(10, TimeUnit.SECONDS);
      assertThat(reply).isNotNull();
      assertThat(new String(java.util.Objects.requireNonNull(reply.value()))).isEqualTo("value");
      assertThat(direct.openConnections()).isEqualTo(1);
    }
  }

  @Test
  void afterARestartTheReadGoesThroughTheSharedConnectionThenBackToItsOwn() {
    try (RedisServer redis = RedisServer.start();
        Nodes nodes = new Nodes(redis)) {
      Tierstate node = nodes.start("a", config -> config.l1MaximumSize(0));
      node.cache().set("k", "before", HOUR);
      assertThat(node.cache().get("k", String.class)).contains("before");
      assertThat(reads(node, "caller_thread")).isEqualTo(1);

      redis.restart(); // the pooled connection is now dead
      Await.until("Lettuce reconnects", node::redisAvailable);
      // A value set before the node saw the restart is below the trust floor it raises then
      // (guarantee 1): set it once the node knows.
      Await.until(
          "the node saw the restart",
          () ->
              node.metrics().registry().find(MeterNames.TRUST_FLOOR_RAISES).counters().stream()
                      .mapToDouble(io.micrometer.core.instrument.Counter::count)
                      .sum()
                  >= 1);
      node.cache().set("k", "after", HOUR);

      assertThat(node.cache().get("k", String.class))
          .contains("after"); // dead connection: retried on Lettuce
      assertThat(reads(node, "shared_connection")).isEqualTo(1);
      assertThat(node.cache().get("k", String.class))
          .contains("after"); // a new connection of its own
      assertThat(reads(node, "caller_thread")).isEqualTo(2);
    }
  }

  @Test
  void aReplyNeverAnswersAnotherRead() throws Exception {
    // A timed-out read leaves its reply on the way; were the connection reused, the next read
    // would take that reply for its own. Readers on 4 threads, Redis paused past the timeout
    // three times: every value read must be its own key's.
    try (RedisServer redis = RedisServer.start();
        Nodes nodes = new Nodes(redis)) {
      Tierstate node =
          nodes.start(
              "a",
              config ->
                  config.l1MaximumSize(0).directReadConnections(2).breakerFailureThreshold(1_000));
      Map<String, String> values = values(100);
      node.cache().setAll(values, HOUR);
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
      List<CompletableFuture<String>> readers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        readers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  for (int i = seed; !stop.get(); i++) {
                    String key = "item:" + (i % 100);
                    Optional<String> read = node.cache().get(key, String.class);
                    if (read.isPresent()) {
                      if (!read.get().equals(values.get(key))) {
                        return key + " read " + read.get();
                      }
                      served.incrementAndGet();
                    }
                  }
                  return "";
                },
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
      }
      for (int pause = 0; pause < 3; pause++) {
        long before = served.get();
        Await.until("reads are served again", () -> served.get() > before + 100);
        redis.pause();
        Thread.sleep(TIMEOUT.toMillis() + 300); // the outage must outlast the read timeout
        redis.resume();
      }
      long afterLastPause = served.get();
      Await.until(
          "reads are served after the last pause", () -> served.get() > afterLastPause + 100);
      stop.set(true);
      for (CompletableFuture<String> reader : readers) {
        assertThat(reader.get(10, TimeUnit.SECONDS)).isEmpty();
      }
      assertThat(served.get()).isPositive();
      assertThat(reads(node, "caller_thread")).isPositive();
    }
  }

  @Test
  void aReadThatTimesOutFailsAtOnceAndCountsTowardsTheBreaker() {
    try (RedisServer redis = RedisServer.start();
        Nodes nodes = new Nodes(redis)) {
      Tierstate node =
          nodes.start(
              "a",
              config ->
                  config
                      .l1MaximumSize(0)
                      .breakerFailureThreshold(2)
                      .breakerOpenDuration(Duration.ofMinutes(1)));
      node.cache().set("k", "v", HOUR);
      assertThat(node.cache().get("k", String.class)).contains("v");
      redis.pause();
      try {
        long start = System.nanoTime();
        assertThat(node.cache().get("k", String.class)).isEmpty();
        assertThat(node.cache().get("k", String.class)).isEmpty();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(millis).as("two timeouts, not four").isLessThan(2 * TIMEOUT.toMillis() + 400);
        assertThat(node.redisAvailable()).as("the breaker opened").isFalse();
        assertThat(reads(node, "shared_connection")).as("a timeout is not retried").isZero();
      } finally {
        redis.resume();
      }
    }
  }

  /** Set once started: the test kit checks readiness without credentials. */
  private static void requirePassword(RedisServer redis) {
    assertThat(redis.command("CONFIG", "SET", "requirepass", "s3cret")).isEqualTo("OK");
  }

  @Test
  void credentialsAndDatabaseAreSentAsLettuceSendsThem() throws IOException {
    try (RedisServer redis = RedisServer.start()) {
      assertThat(redis.command("ACL", "SETUSER", "reader", "on", ">r3ader", "~*", "&*", "+@all"))
          .isEqualTo("OK");
      requirePassword(redis);
      for (String credentials : List.of(":s3cret", "reader:r3ader")) {
        String url = "redis://" + credentials + "@" + redis.host() + ":" + redis.port() + "/3";
        try (Tierstate node =
            Tierstate.create(
                TierstateConfig.builder()
                    .redisUrl(url)
                    .l1MaximumSize(0)
                    .namespace("auth")
                    .build())) {
          node.cache().set("k", credentials, HOUR);
          assertThat(node.cache().get("k", String.class)).contains(credentials);
          assertThat(reads(node, "caller_thread")).isEqualTo(1);
        }
      }
      try (RespConnection check =
          RespConnection.open(
              new InetSocketAddress(redis.host(), redis.port()), TIMEOUT, TIMEOUT, null)) {
        assertThat(check.call("AUTH", "s3cret")).isEqualTo("OK");
        assertThat(check.call("SELECT", "3")).isEqualTo("OK");
        assertThat(check.call("EXISTS", "auth:{k}")).isEqualTo(1L);
      }
    }
  }

  @Test
  void wrongCredentialsFailTheConnectionNotTheRead() {
    try (RedisServer redis = RedisServer.start()) {
      requirePassword(redis);
      DirectReads.Router router =
          ReadRouters.standalone(io.lettuce.core.RedisURI.create(redis.uri()));
      try (DirectReads direct =
          new DirectReads(
              router, 2, RedisCredentials.just(null, "wrong"), 0, TIMEOUT, TIMEOUT, null)) {
        assertThat(direct.get("k")).isNull();
        assertThat(direct.openConnections()).isZero();
      }
    }
  }

  @Test
  void onAClusterEachReadGoesToItsSlotsPrimary() {
    try (RedisCluster cluster = RedisCluster.start();
        Tierstate node =
            Tierstate.create(
                TierstateConfig.builder()
                    .redisUrl(cluster.uri())
                    .l1MaximumSize(0)
                    .namespace("direct")
                    .build())) {
      Await.until("node reads the log", node::invalidationsFlowing);
      Map<String, String> values = values(60);
      node.cache().setAll(values, HOUR);

      readEverything(node, values);
      assertThat(node.cache().getAll(List.copyOf(values.keySet()), String.class)).isEqualTo(values);

      assertThat(reads(node, "caller_thread"))
          .isEqualTo(62); // the getAll: GETs pipelined per primary
      assertThat(reads(node, "shared_connection")).isZero();
      assertThat(node.metrics().registry().get(MeterNames.REDIS_DIRECT_CONNECTIONS).gauge().value())
          .as("one connection per primary")
          .isEqualTo(RedisCluster.DEFAULT_MASTERS);
    }
  }

  @Test
  void aClusterRedirectLeavesTheReadToLettuceAndKeepsTheConnection() {
    try (RedisCluster cluster = RedisCluster.start()) {
      RedisServer first = cluster.nodes().get(0);
      String owned = null;
      String elsewhere = null;
      for (int i = 0; owned == null || elsewhere == null; i++) {
        String key = "key" + i;
        cluster.command("SET", key, "v");
        boolean here = "1".equals(first.command("EXISTS", key)); // elsewhere: a MOVED error
        if (here && owned == null) {
          owned = key;
        } else if (!here && elsewhere == null) {
          elsewhere = key;
        }
      }
      DirectReads.Router standalone =
          ReadRouters.standalone(io.lettuce.core.RedisURI.create(first.uri()));
      DirectReads.Router toFirst =
          new DirectReads.Router() { // a stale topology: every slot on node 0
            @Override
            public java.net.InetSocketAddress serverFor(String key) {
              return java.util.Objects.requireNonNull(standalone.serverFor(key));
            }

            @Override
            public boolean multiKeyReads() {
              return false;
            }
          };
      try (DirectReads direct = new DirectReads(toFirst, 1, null, 0, TIMEOUT, TIMEOUT, null)) {
        assertThat(direct.get(elsewhere)).as("MOVED").isNull();
        assertThat(direct.mget(new String[] {owned, elsewhere}))
            .as("one of the pipeline MOVED")
            .isNull();
        assertThat(direct.get(owned)).isNotNull();
        List<KeyValue<String, byte[]>> both = direct.mget(new String[] {owned, owned});
        assertThat(both).isNotNull();
        assertThat(both).allMatch(KeyValue::hasValue);
        assertThat(direct.openConnections()).as("the connection stayed in step").isEqualTo(1);
      }
    }
  }

  @Test
  void behindSentinelReadsGoToThePrimaryAndNeverToAReplica() throws IOException {
    try (RedisSentinelSetup sentinel = RedisSentinelSetup.start();
        RedisServer replica =
            RedisServer.builder()
                .args(
                    "--replicaof",
                    sentinel.master().host(),
                    Integer.toString(sentinel.masterPort()))
                .start();
        Tierstate node =
            Tierstate.create(
                TierstateConfig.builder()
                    .redisUrl(sentinel.uri())
                    .l1MaximumSize(0)
                    .namespace("direct")
                    .build())) {
      Map<String, String> values = values(10);
      node.cache().setAll(values, HOUR);
      readEverything(node, values);
      assertThat(node.cache().getAll(List.copyOf(values.keySet()), String.class)).isEqualTo(values);
      assertThat(reads(node, "caller_thread")).isEqualTo(12);

      DirectReads.Router router =
          ReadRouters.sentinel(
              List.of(io.lettuce.core.RedisURI.create(sentinel.sentinel().uri())),
              sentinel.masterName(),
              TIMEOUT,
              TIMEOUT,
              null);
      assertThat(router.serverFor("any"))
          .isEqualTo(new InetSocketAddress(sentinel.master().host(), sentinel.masterPort()));
      try (RespConnection toReplica =
          RespConnection.open(
              new InetSocketAddress(replica.host(), replica.port()), TIMEOUT, TIMEOUT, null)) {
        assertThatThrownBy(() -> router.verify(toReplica))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("is not the primary");
      }
    }
  }

  @Test
  void emptyAndMissingValuesAreToldApart() {
    RedisServer redis = Nodes.sharedRedis();
    redis.command("SET", "empty:key", "");
    try (DirectReads direct =
        new DirectReads(
            ReadRouters.standalone(io.lettuce.core.RedisURI.create(redis.uri())),
            1,
            null,
            0,
            TIMEOUT,
            TIMEOUT,
            null)) {
      DirectReads.Reply empty = direct.get("empty:key");
      DirectReads.Reply missing = direct.get("missing:key");
      assertThat(Optional.ofNullable(empty).map(DirectReads.Reply::value))
          .hasValueSatisfying(v -> assertThat(v).isEmpty());
      assertThat(missing).isNotNull();
      assertThat(missing.value()).isNull();
      List<KeyValue<String, byte[]>> both = direct.mget(new String[] {"empty:key", "missing:key"});
      assertThat(both).isNotNull();
      assertThat(both.get(0).hasValue()).isTrue();
      assertThat(both.get(1).hasValue()).isFalse();
    }
  }
}
