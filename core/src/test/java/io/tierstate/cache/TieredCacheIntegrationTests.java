package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.codec.TypeRef;
import io.tierstate.metrics.MetricsSnapshot;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache API on one node against a real Redis. */
class TieredCacheIntegrationTests {
  record User(String id, String name, List<String> roles) {}

  private Nodes nodes;
  private Tierstate node;
  private TieredCache cache;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
    node = nodes.start("a");
    cache = node.cache();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  private String redis(String... command) {
    return nodes.redis().command(command);
  }

  private String valueKey(String key) {
    return nodes.namespace() + ":{" + key + "}";
  }

  @Test
  void setGetDelete() {
    User alice = new User("1", "Alice", List.of("admin"));
    cache.set("user:1", alice, CacheOptions.ttl(Duration.ofMinutes(1)));

    assertThat(cache.get("user:1", User.class)).contains(alice);
    assertThat(redis("EXISTS", valueKey("user:1"))).isEqualTo("1");

    cache.delete("user:1");
    assertThat(cache.get("user:1", User.class)).isEmpty();
    assertThat(redis("EXISTS", valueKey("user:1"))).isEqualTo("0");
  }

  @Test
  void keysListsTheKeysInRedisThatMatchAPatternWhoeverWroteThem() {
    Tierstate other = nodes.start("b");
    cache.set("jc:a:1", "one", CacheOptions.ttl(Duration.ofMinutes(1)));
    other.cache().set("jc:a:2", "two", CacheOptions.ttl(Duration.ofMinutes(1)));
    cache.set("jc:b:1", "other", CacheOptions.ttl(Duration.ofMinutes(1)));

    assertThat(cache.keys("jc:a:*")).containsExactlyInAnyOrder("jc:a:1", "jc:a:2");
    cache.delete("jc:a:1");
    assertThat(other.cache().keys("jc:a:*")).containsExactly("jc:a:2");
    assertThatThrownBy(() -> cache.keys("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aValueWrittenByAnotherNodeIsReadFromRedisAndDecodedAsTheNamedType() {
    Tierstate other = nodes.start("b");
    other
        .cache()
        .set("user:2", new User("2", "Bob", List.of()), CacheOptions.ttl(Duration.ofMinutes(1)));

    assertThat(cache.get("user:2", User.class)).contains(new User("2", "Bob", List.of()));
    MetricsSnapshot metrics = node.metrics().snapshot();
    assertThat(metrics.l2Hits()).isEqualTo(1);
    // Later reads are L1 hits (once b's write has reached this node's log listener, an install
    // that raced it is refused, so the first install may not stick).
    Await.until(
        "reads are served from L1",
        () ->
            cache.get("user:2", User.class).isPresent() && node.metrics().snapshot().l1Hits() >= 1);
  }

  @Test
  void genericTypesByTypeRef() {
    List<User> team = List.of(new User("1", "A", List.of("x")), new User("2", "B", List.of()));
    Tierstate other = nodes.start("b");
    other.cache().set("team:1", team, CacheOptions.ttl(Duration.ofMinutes(1)));

    assertThat(cache.get("team:1", new TypeRef<List<User>>() {})).contains(team);
  }

  @Test
  void ttlIsSetInRedisAndEntriesExpire() {
    cache.set("short", "v", CacheOptions.ttl(Duration.ofMillis(300)));
    long pttl = Long.parseLong(redis("PTTL", valueKey("short")));
    assertThat(pttl).isBetween(1L, 300L);

    Await.until("the entry expires", () -> cache.get("short", String.class).isEmpty());
    // Redis counts the TTL from when it received the SET, a little after the cache did
    Await.until("Redis expires it too", () -> redis("EXISTS", valueKey("short")).equals("0"));
  }

  @Test
  void jitterShortensTtlWithinItsFraction() {
    for (int i = 0; i < 20; i++) {
      cache.set("j" + i, "v", CacheOptions.ttl(Duration.ofSeconds(100)).jitter(0.2));
    }
    for (int i = 0; i < 20; i++) {
      long pttl = Long.parseLong(redis("PTTL", valueKey("j" + i)));
      assertThat(pttl).isBetween(79_000L, 100_000L);
    }
  }

  @Test
  void defaultTtlApplies() {
    cache.set("d", "v");
    long pttl = Long.parseLong(redis("PTTL", valueKey("d")));
    assertThat(pttl).isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
  }

  @Test
  void getAllAndSetAll() {
    Map<String, User> users = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      users.put("user:" + i, new User(String.valueOf(i), "n" + i, List.of()));
    }
    cache.setAll(users, CacheOptions.ttl(Duration.ofMinutes(1)));

    Tierstate other = nodes.start("b");
    List<String> wanted = List.of("user:3", "user:missing", "user:1", "user:49");
    Map<String, User> found = other.cache().getAll(wanted, User.class);

    assertThat(found.keySet()).containsExactly("user:3", "user:1", "user:49");
    assertThat(found.get("user:49")).isEqualTo(users.get("user:49"));
    assertThat(other.metrics().snapshot().l2Hits()).isEqualTo(3);
  }

  @Test
  void tagsInvalidateEveryTaggedKeyAndNothingElse() {
    cache.set(
        "ticket:1", "t1", CacheOptions.ttl(Duration.ofMinutes(1)).tags("tickets", "ticket:1"));
    cache.set("ticket:2", "t2", CacheOptions.ttl(Duration.ofMinutes(1)).tags("tickets"));
    cache.set("other", "o", CacheOptions.ttl(Duration.ofMinutes(1)).tags("others"));

    long removed = cache.invalidateTags("tickets");

    assertThat(removed).isEqualTo(2);
    assertThat(cache.get("ticket:1", String.class)).isEmpty();
    assertThat(cache.get("ticket:2", String.class)).isEmpty();
    assertThat(cache.get("other", String.class)).contains("o");
  }

  @Test
  void patternInvalidationUsesScanAndSparesOtherKeys() {
    for (int i = 0; i < 30; i++) {
      cache.set("ticket:" + i, "t", CacheOptions.ttl(Duration.ofMinutes(1)));
    }
    cache.set("user:1", "u", CacheOptions.ttl(Duration.ofMinutes(1)));

    long removed = node.invalidator().invalidatePattern("ticket:*");

    assertThat(removed).isEqualTo(30);
    assertThat(cache.get("ticket:7", String.class)).isEmpty();
    assertThat(cache.get("user:1", String.class)).contains("u");
  }

  @Test
  void largeValuesAreCompressed() {
    String big = "tierstate ".repeat(2_000);
    cache.set("big", big, CacheOptions.ttl(Duration.ofMinutes(1)));

    long stored = Long.parseLong(redis("STRLEN", valueKey("big")));
    assertThat(stored).isLessThan(big.length() / 10);
    Tierstate other = nodes.start("b");
    assertThat(other.cache().get("big", String.class)).contains(big);
  }

  @Test
  void oversizedValueIsRejectedAndNothingIsWritten() {
    Tierstate small = nodes.start("small", b -> b.maxValueBytes(1_000));
    String random =
        new java.util.Random(1)
            .ints(5_000, 'a', 'z' + 1)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();

    assertThatThrownBy(
            () -> small.cache().set("huge", random, CacheOptions.ttl(Duration.ofMinutes(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("huge")
        .hasMessageContaining("maxValueBytes");
    assertThat(redis("EXISTS", valueKey("huge"))).isEqualTo("0");
  }

  @Test
  void invalidKeysAreRejectedWithClearMessages() {
    assertThatThrownBy(() -> cache.set("", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> cache.get("a b", String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whitespace");
    assertThatThrownBy(() -> cache.delete("a{b}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{");
    assertThatThrownBy(() -> cache.set("x", "v", CacheOptions.ttl(Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
    assertThatThrownBy(() -> node.invalidator().invalidatePattern("a[b]"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(redis("DBSIZE")).doesNotContain("ERR");
  }

  @Test
  void corruptBytesInRedisAreAMissAndCounted() {
    redis("SET", valueKey("broken"), "not an envelope");

    assertThat(cache.get("broken", String.class)).isEmpty();
    assertThat(node.metrics().snapshot().errors()).isEqualTo(1);
    AtomicInteger loads = new AtomicInteger();
    assertThat(
            cache.getOrLoad(
                "broken",
                String.class,
                () -> "fixed-" + loads.incrementAndGet(),
                CacheOptions.ttl(Duration.ofMinutes(1))))
        .isEqualTo("fixed-1");
  }

  @Test
  void bytesThatDoNotDecodeAsTheTypeAreAMiss() {
    cache.set("n", "not a user", CacheOptions.ttl(Duration.ofMinutes(1)));
    Tierstate other = nodes.start("b");

    assertThat(other.cache().get("n", User.class)).isEmpty();
    assertThat(other.metrics().snapshot().errors()).isEqualTo(1);
  }

  @Test
  void absentResultsAreCachedWithTheirOwnTtl() {
    AtomicInteger loads = new AtomicInteger();
    CacheOptions options =
        CacheOptions.ttl(Duration.ofMinutes(5)).cacheAbsent(Duration.ofMillis(400));
    CacheLoader<String> loader =
        () -> {
          loads.incrementAndGet();
          return null;
        };

    assertThat(cache.getOrLoad("missing", String.class, loader, options)).isNull();
    assertThat(cache.getOrLoad("missing", String.class, loader, options)).isNull();
    assertThat(nodes.start("b").cache().getOrLoad("missing", String.class, loader, options))
        .isNull();
    assertThat(loads).hasValue(1);
    long pttl = Long.parseLong(redis("PTTL", valueKey("missing")));
    assertThat(pttl).isBetween(1L, 400L);

    Await.until(
        "the absent marker expires and the loader runs again",
        () -> {
          cache.getOrLoad("missing", String.class, loader, options);
          return loads.get() == 2;
        });
    assertThat(redis("EXISTS", valueKey("missing"))).isEqualTo("1"); // absence cached again
  }

  @Test
  void absenceIsNotCachedUnlessAsked() {
    AtomicInteger loads = new AtomicInteger();
    CacheLoader<String> loader =
        () -> {
          loads.incrementAndGet();
          return null;
        };
    cache.getOrLoad("nothing", String.class, loader, CacheOptions.ttl(Duration.ofMinutes(1)));
    cache.getOrLoad("nothing", String.class, loader, CacheOptions.ttl(Duration.ofMinutes(1)));
    assertThat(loads).hasValue(2);
  }

  @Test
  void loaderFailureSurfacesWithTheKeyAndCause() {
    assertThatThrownBy(
            () ->
                cache.getOrLoad(
                    "k",
                    String.class,
                    () -> {
                      throw new IllegalStateException("db down");
                    },
                    CacheOptions.ttl(Duration.ofMinutes(1))))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("'k'")
        .hasRootCauseMessage("db down");
    assertThat(node.metrics().snapshot().loadFailures()).isEqualTo(1);
    assertThat(redis("EXISTS", valueKey("k"))).isEqualTo("0");
  }

  @Test
  void invalidationListenersSeeLocalEvents() {
    List<InvalidationEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    node.invalidator().onInvalidation(events::add);

    cache.set("x", "1", CacheOptions.ttl(Duration.ofMinutes(1)).tags("g"));
    cache.invalidateTags("g");
    node.invalidator().invalidatePattern("x*");

    assertThat(events)
        .extracting(InvalidationEvent::kind)
        .containsExactly(
            InvalidationEvent.Kind.KEYS,
            InvalidationEvent.Kind.TAGS,
            InvalidationEvent.Kind.PATTERN);
    assertThat(events.get(1).keys()).containsExactly("x");
    assertThat(events).allMatch(InvalidationEvent::local);
  }
}
