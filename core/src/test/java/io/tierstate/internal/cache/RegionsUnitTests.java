package io.tierstate.internal.cache;

import static io.tierstate.metrics.MeterNames.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.cache.CacheRegion;
import io.tierstate.codec.JacksonCodec;
import io.tierstate.codec.TypeRef;
import io.tierstate.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bound on regions per node, and the per-region counts that L1 keeps without lookups. */
class RegionsUnitTests {
  private static final TypeRef<String> STRING = TypeRef.of(String.class);
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CacheMeters meters = new CacheMeters(registry);

  @Test
  void theRegionPastTheBoundFailsNamingTheBoundWhileKnownOnesKeepWorking() {
    Regions regions = new Regions(registry, 2);
    Region users = regions.resolve(MINUTE.region("users"));
    assertThat(regions.resolve(MINUTE.region("reference"))).isNotNull();

    assertThatThrownBy(() -> regions.resolve(MINUTE.region("sessions")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'sessions'")
        .hasMessageContaining("region 3")
        .hasMessageContaining("maximum of 2 regions");
    assertThat(regions.resolve(MINUTE.region("users"))).isSameAs(users);
    assertThat(regions.resolve(MINUTE)).as("no region").isNull();
    assertThat(regions.snapshot())
        .extracting(CacheRegion::name)
        .containsExactly("users", "reference");
    assertThat(registry.find(REGION_REQUESTS).tag("region", "sessions").functionCounter())
        .as("no meter for the refused region")
        .isNull();
  }

  @Test
  void aWriteInARegionPastTheBoundIsRefusedBeforeAnythingIsPrepared() {
    EntryCodec entries =
        new EntryCodec(
            TierstateConfig.builder().build(),
            JacksonCodec.create(),
            meters,
            new Regions(registry, 1));
    entries.prepare("k1", "v", MINUTE.region("a"), STRING);

    assertThatThrownBy(() -> entries.prepare("k2", "v", MINUTE.region("b"), STRING))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maximum of 1 regions");
  }

  @Test
  void hitsLoadsAndL1EntriesCountPerRegionAndShowInTheMeters() {
    Regions regions = new Regions(registry, 8);
    EntryCodec entries =
        new EntryCodec(TierstateConfig.builder().build(), JacksonCodec.create(), meters, regions);
    L1 l1 = new L1(1_000, Duration.ofHours(1), Duration.ofSeconds(2), meters);
    CacheOptions users = MINUTE.region("users");
    for (int i = 0; i < 3; i++) {
      String key = "user:" + i;
      l1.putIfUnchanged(key, entries.prepare(key, "u" + i, users, STRING).entry(), l1.stamp(key));
    }
    l1.putIfUnchanged(
        "ref:1",
        entries.prepare("ref:1", "r", MINUTE.region("reference"), STRING).entry(),
        l1.stamp("ref:1"));
    l1.putIfUnchanged(
        "plain", entries.prepare("plain", "p", MINUTE, STRING).entry(), l1.stamp("plain"));
    Region region = regions.resolve(users);
    region.l1Hit();
    region.l1Hit();
    region.l1Miss();
    region.l2Hit();
    region.loaded(Duration.ofMillis(4).toNanos());

    CacheRegion row = regions.snapshot().get(0);
    assertThat(row.name()).isEqualTo("users");
    assertThat(row.requests()).isEqualTo(3);
    assertThat(row.l1Hits()).isEqualTo(2);
    assertThat(row.l2Hits()).isEqualTo(1);
    assertThat(row.loads()).isEqualTo(1);
    assertThat(row.loadMeanMillis()).isEqualTo(4.0);
    assertThat(row.l1Entries()).isEqualTo(3);
    assertThat(regions.snapshot().get(1).l1Entries()).isEqualTo(1);
    assertThat(row.l1HitRate()).isEqualTo(2.0 / 3);

    assertThat(registry.get(REGION_REQUESTS).tag("region", "users").functionCounter().count())
        .isEqualTo(3);
    assertThat(
            registry
                .get(REGION_HITS)
                .tag("region", "users")
                .tag("tier", "l1")
                .functionCounter()
                .count())
        .isEqualTo(2);
    assertThat(registry.get(REGION_LOAD_DURATION).tag("region", "users").timer().count())
        .isEqualTo(1);
    assertThat(registry.get(REGION_L1_ENTRIES).tag("region", "users").gauge().value()).isEqualTo(3);

    // Replacing an entry keeps the count; removing it (an invalidation, a tag) lowers it.
    l1.putIfUnchanged(
        "user:0", entries.prepare("user:0", "new", users, STRING).entry(), l1.stamp("user:0"));
    l1.invalidate("user:1");
    l1.invalidateTagged(new String[] {"region:users"});
    Await.until(
        "the removals are counted",
        () -> regions.snapshot().get(0).l1Entries() == 0,
        Duration.ofSeconds(5));
    assertThat(regions.snapshot().get(1).l1Entries())
        .as("the other region is untouched")
        .isEqualTo(1);
  }
}
