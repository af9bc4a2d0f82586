package io.tierstate.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.Tierstate;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NamespaceVersionIntegrationTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));
  private Nodes nodes;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void aBumpMakesOldKeysUnreachableOnBothNodes() {
    Tierstate a = nodes.start("a");
    Tierstate b = nodes.start("b");
    String before = a.namespaces().key("catalog", "product:7");
    assertThat(before).isEqualTo("catalog:v0:product:7");
    assertThat(b.namespaces().key("catalog", "product:7")).isEqualTo(before);
    a.cache().set(before, "old", MINUTE);
    assertThat(b.cache().get(b.namespaces().key("catalog", "product:7"), String.class))
        .contains("old");

    long version = a.namespaces().bump("catalog");

    assertThat(version).isEqualTo(1);
    assertThat(a.namespaces().key("catalog", "product:7")).isEqualTo("catalog:v1:product:7");
    assertThat(a.cache().get(a.namespaces().key("catalog", "product:7"), String.class)).isEmpty();
    Await.until(
        "b builds new-version keys",
        () -> b.namespaces().key("catalog", "product:7").equals("catalog:v1:product:7"),
        Duration.ofSeconds(2));
    assertThat(b.cache().get(b.namespaces().key("catalog", "product:7"), String.class)).isEmpty();
    assertThat(a.namespaces().key("other", "product:7")).isEqualTo("other:v0:product:7");
    assertThat(b.namespaces().bump("catalog")).isEqualTo(2);
    assertThat(b.namespaces().key("catalog", "x")).isEqualTo("catalog:v2:x");
    Await.until(
        "a sees version 2", () -> a.namespaces().version("catalog") == 2, Duration.ofSeconds(2));
    assertThat(a.metrics().registry().get(MeterNames.NAMESPACE_BUMPS).counter().count())
        .isEqualTo(1);
  }

  @Test
  void badNamespacesAndKeysAreNamed() {
    Tierstate a = nodes.start("a");
    assertThatThrownBy(() -> a.namespaces().key("a:b", "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a:b'");
    assertThatThrownBy(() -> a.namespaces().key("catalog", "bad key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad key");
    assertThatThrownBy(() -> a.namespaces().bump("")).isInstanceOf(IllegalArgumentException.class);
  }
}
