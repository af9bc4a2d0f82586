package io.tierstate.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.cache.CacheOptions;
import io.tierstate.metrics.MeterNames;
import io.tierstate.session.NewSession;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisCluster;
import io.tierstate.testkit.RedisSentinelSetup;
import io.tierstate.testkit.RedisServer;
import io.tierstate.testkit.TlsCertificates;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis that only a private CA vouches for ({@code rediss://}, {@code REDIS_TLS_CA_FILE}):
 * Lettuce's connections and the direct read connections both trust that CA and nothing else.
 */
class TlsIntegrationTests {
  private static final CacheOptions HOUR = CacheOptions.ttl(Duration.ofHours(1));
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static TlsCertificates certificates;
  private static RedisServer redis;

  @BeforeAll
  static void startTlsRedis() {
    assumeTrue(RedisServer.supportsTls(), "this redis-server was built without TLS");
    certificates = TlsCertificates.issue();
    redis = RedisServer.builder().tls(certificates).start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  private static double reads(Tierstate node, String path) {
    MeterRegistry registry = node.metrics().registry();
    return registry.get(MeterNames.REDIS_READS).tag("path", path).counter().count();
  }

  @Test
  void nodesWorkOverTlsAndReadOnTheCallersThread() {
    try (Nodes nodes = new Nodes(redis)) {
      Tierstate a =
          nodes.start(
              "a", config -> config.redisUrl(redis.tlsUri()).redisTlsCaFile(certificates.caFile()));
      Tierstate b =
          nodes.start(
              "b",
              config ->
                  config
                      .redisUrl(redis.tlsUri())
                      .redisTlsCaFile(certificates.caFile())
                      .l1MaximumSize(0));

      a.cache().setAll(Map.of("k1", "v1", "k2", "v2"), HOUR);
      assertThat(b.cache().get("k1", String.class)).contains("v1");
      assertThat(b.cache().getAll(List.of("k1", "k2", "k3"), String.class))
          .isEqualTo(Map.of("k1", "v1", "k2", "v2"));
      String session = b.sessions().create(NewSession.builder("acme", "alice").build()).id();
      assertThat(b.sessions().get(session)).isPresent();

      assertThat(reads(b, "caller_thread")).isEqualTo(3);
      assertThat(reads(b, "shared_connection")).isZero();

      // the invalidation log is read over TLS too
      assertThat(a.cache().get("k1", String.class)).contains("v1");
      b.cache().set("k1", "v1b", HOUR);
      Await.until(
          "a sees b's write", () -> a.cache().get("k1", String.class).equals(Optional.of("v1b")));
      assertThat(redis.command("EXISTS", nodes.namespace() + ":{k1}")).isEqualTo("1");
    }
  }

  @Test
  void aServerSignedByAnotherCaIsRefused() {
    TierstateConfig config =
        TierstateConfig.builder()
            .redisUrl(redis.tlsUri())
            .redisRequired(true)
            .redisTlsCaFile(TlsCertificates.issue().caFile())
            .connectTimeout(TIMEOUT)
            .build();

    assertThatThrownBy(() -> Tierstate.create(config))
        .isInstanceOf(RedisUnavailableException.class)
        .hasMessageContaining("localhost:" + URI.create(redis.tlsUri()).getPort());
  }

  @Test
  void directReadsTrustOnlyTheConfiguredCa() {
    URI uri = URI.create(redis.tlsUri());
    redis.command("SET", "direct:k", "v");
    DirectReads.Router router =
        ReadRouters.standalone(
            io.lettuce.core.RedisURI.create("redis://localhost:" + uri.getPort()));

    try (DirectReads trusting =
        new DirectReads(
            router,
            1,
            null,
            0,
            TIMEOUT,
            TIMEOUT,
            TlsTrust.socketFactory(certificates.caFile(), null))) {
      DirectReads.Reply reply = trusting.get("direct:k");
      assertThat(reply).isNotNull();
      assertThat(reply.value()).asString().isEqualTo("v");
      assertThat(trusting.openConnections()).isEqualTo(1);
    }
    try (DirectReads stranger =
        new DirectReads(
            router,
            1,
            null,
            0,
            TIMEOUT,
            TIMEOUT,
            TlsTrust.socketFactory(TlsCertificates.issue().caFile(), null))) {
      assertThat(stranger.get("direct:k")).as("left to Lettuce: the handshake failed").isNull();
      assertThat(stranger.openConnections()).isZero();
    }
  }

  @Test
  void aClusterOverTlsReadsFromEachPrimaryOnTheCallersThread() {
    try (RedisCluster cluster = RedisCluster.builder().tls(certificates).start();
        Tierstate node =
            Tierstate.create(
                TierstateConfig.builder()
                    .redisUrl(cluster.tlsUri())
                    .redisTlsCaFile(certificates.caFile())
                    .l1MaximumSize(0)
                    .build())) {
      Await.until("the node reads the invalidation log", node::invalidationsFlowing);
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 0; i < 30; i++) {
        values.put("item:" + i, "value-" + i);
      }
      node.cache().setAll(values, HOUR);
      values.forEach(
          (key, value) -> assertThat(node.cache().get(key, String.class)).contains(value));
      assertThat(node.cache().getAll(values.keySet(), String.class)).isEqualTo(values);

      assertThat(reads(node, "caller_thread")).isEqualTo(31);
      assertThat(reads(node, "shared_connection")).isZero();
      assertThat(node.metrics().registry().get(MeterNames.REDIS_DIRECT_CONNECTIONS).gauge().value())
          .isEqualTo(cluster.nodes().size());
    }
  }

  @Test
  void aSentinelSetupOverTlsReadsFromThePrimaryOnTheCallersThread() {
    try (RedisSentinelSetup sentinel = RedisSentinelSetup.startWithTls(certificates);
        Tierstate node =
            Tierstate.create(
                TierstateConfig.builder()
                    .redisUrl(sentinel.tlsUri())
                    .redisTlsCaFile(certificates.caFile())
                    .l1MaximumSize(0)
                    .build())) {
      Await.until("the node reads the invalidation log", node::invalidationsFlowing);
      node.cache().set("k", "v", HOUR);
      assertThat(node.cache().get("k", String.class)).contains("v");
      assertThat(node.cache().getAll(List.of("k", "absent"), String.class))
          .isEqualTo(Map.of("k", "v"));

      assertThat(reads(node, "caller_thread")).isEqualTo(2);
      assertThat(reads(node, "shared_connection")).isZero();
    }
  }

  @Test
  void aServerThatChecksClientsAcceptsOnlyNodesWithAClientCertificate() {
    try (RedisServer mutual =
        RedisServer.builder().tlsWithClientCertificates(certificates).start()) {
      TierstateConfig.Builder base =
          TierstateConfig.builder()
              .redisUrl(mutual.tlsUri())
              .redisTlsCaFile(certificates.caFile())
              .redisRequired(true)
              .connectTimeout(TIMEOUT)
              .l1MaximumSize(0);
      assertThatThrownBy(() -> Tierstate.create(base.build()))
          .as("no client certificate")
          .isInstanceOf(RedisUnavailableException.class);

      try (Tierstate node =
          Tierstate.create(
              base.redisTlsClientCertificate(certificates.certificateFile(), certificates.keyFile())
                  .build())) {
        node.cache().set("k", "v", HOUR);
        assertThat(node.cache().get("k", String.class)).contains("v");
        assertThat(reads(node, "caller_thread"))
            .as("the direct connection presented it too")
            .isEqualTo(1);
        assertThat(reads(node, "shared_connection")).isZero();
      }
    }
  }
}
