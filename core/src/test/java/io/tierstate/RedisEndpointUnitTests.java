package io.tierstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.tierstate.RedisEndpoint.Mode;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedisEndpointUnitTests {

  @Nested
  class Standalone {
    @Test
    void hostOnlyGetsTheDefaultPortAndDatabase() {
      RedisEndpoint endpoint = RedisEndpoint.parse("redis://cache.internal");

      assertThat(endpoint.mode()).isEqualTo(Mode.STANDALONE);
      assertThat(endpoint.tls()).isFalse();
      assertThat(endpoint.sentinelMasterId()).isNull();
      assertThat(endpoint.nodes())
          .singleElement()
          .satisfies(
              node -> {
                assertThat(node.getHost()).isEqualTo("cache.internal");
                assertThat(node.getPort()).isEqualTo(6379);
                assertThat(node.getDatabase()).isZero();
                assertThat(node.isSsl()).isFalse();
              });
      assertThat(endpoint.urlUsername()).isNull();
      assertThat(endpoint.urlPassword()).isNull();
    }

    @Test
    void portDatabaseAndCredentials() {
      RedisEndpoint endpoint = RedisEndpoint.parse("redis://app:s3cret@10.0.0.5:6380/3");

      RedisURI node = endpoint.nodes().get(0);
      assertThat(node.getHost()).isEqualTo("10.0.0.5");
      assertThat(node.getPort()).isEqualTo(6380);
      assertThat(node.getDatabase()).isEqualTo(3);
      assertThat(username(node)).isEqualTo("app");
      assertThat(password(node)).isEqualTo("s3cret");
      assertThat(endpoint.urlDatabase()).isEqualTo(3);
    }

    @Test
    void userInfoWithoutColonIsAPasswordAsInLettuce() {
      RedisEndpoint endpoint = RedisEndpoint.parse("redis://s3cret@localhost");

      assertThat(endpoint.urlUsername()).isNull();
      assertThat(endpoint.urlPassword()).isEqualTo("s3cret");
    }

    @Test
    void percentEscapesInCredentialsAreDecoded() {
      RedisEndpoint endpoint = RedisEndpoint.parse("redis://us%40er:p%40ss%2Fw%3Ard%E2%82%AC@h");

      assertThat(endpoint.urlUsername()).isEqualTo("us@er");
      assertThat(endpoint.urlPassword()).isEqualTo("p@ss/w:rd€");
    }

    @Test
    void unescapedSpecialCharactersInThePasswordStillParse() {
      RedisEndpoint endpoint = RedisEndpoint.parse("redis://:p@ss#/w@h:6380");

      assertThat(endpoint.urlPassword()).isEqualTo("p@ss#/w");
      assertThat(endpoint.nodes().get(0).getPort()).isEqualTo(6380);
    }

    @Test
    void tlsScheme() {
      RedisEndpoint endpoint = RedisEndpoint.parse("rediss://cache:6380");

      assertThat(endpoint.mode()).isEqualTo(Mode.STANDALONE);
      assertThat(endpoint.tls()).isTrue();
      assertThat(endpoint.nodes().get(0).isSsl()).isTrue();
    }

    @Test
    void bracketedIpv6() {
      RedisURI node = RedisEndpoint.parse("redis://[::1]:6380").nodes().get(0);

      assertThat(node.getHost()).isEqualTo("::1");
      assertThat(node.getPort()).isEqualTo(6380);
    }

    @Test
    void schemeIsCaseInsensitiveAndWhiteSpaceIsIgnored() {
      RedisEndpoint endpoint = RedisEndpoint.parse("  REDISS://h  ");

      assertThat(endpoint.tls()).isTrue();
      assertThat(endpoint.nodes().get(0).getHost()).isEqualTo("h");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://h/", "redis://h/0"})
    void emptyOrZeroPathIsDatabaseZero(String url) {
      assertThat(RedisEndpoint.parse(url).urlDatabase()).isZero();
    }
  }

  @Nested
  class Sentinel {
    @Test
    void severalSentinelsWithMasterAndDatabase() {
      RedisEndpoint endpoint =
          RedisEndpoint.parse("redis-sentinel://s3cret@s1:26380,s2,[::1]:26381/2#primary");

      assertThat(endpoint.mode()).isEqualTo(Mode.SENTINEL);
      assertThat(endpoint.sentinelMasterId()).isEqualTo("primary");
      assertThat(endpoint.tls()).isFalse();
      assertThat(endpoint.nodes())
          .extracting(RedisURI::getHost, RedisURI::getPort)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("s1", 26380),
              org.assertj.core.groups.Tuple.tuple("s2", 26379),
              org.assertj.core.groups.Tuple.tuple("::1", 26381));
      assertThat(endpoint.urlDatabase()).isEqualTo(2);
      assertThat(endpoint.urlPassword()).isEqualTo("s3cret");
    }

    @Test
    void tlsSentinel() {
      RedisEndpoint endpoint = RedisEndpoint.parse("rediss-sentinel://s1,s2#primary");

      assertThat(endpoint.mode()).isEqualTo(Mode.SENTINEL);
      assertThat(endpoint.tls()).isTrue();
      assertThat(endpoint.nodes()).allSatisfy(node -> assertThat(node.isSsl()).isTrue());
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"redis-sentinel://s1,s2", "redis-sentinel://s1,s2#", "redis-sentinel://s1/2#"})
    void masterNameIsRequired(String url) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse(url, "REDIS_URL"))
          .withMessage("REDIS_URL sentinel form needs the master name after '#': '" + url + "'");
    }

    @Test
    void masterNameIsPercentDecoded() {
      assertThat(RedisEndpoint.parse("redis-sentinel://s1#my%20primary").sentinelMasterId())
          .isEqualTo("my primary");
    }
  }

  @Nested
  class Cluster {
    @Test
    void severalSeeds() {
      RedisEndpoint endpoint = RedisEndpoint.parse("redis-cluster://app:pw@n1:7000,n2:7001,n3");

      assertThat(endpoint.mode()).isEqualTo(Mode.CLUSTER);
      assertThat(endpoint.tls()).isFalse();
      assertThat(endpoint.sentinelMasterId()).isNull();
      assertThat(endpoint.nodes())
          .extracting(RedisURI::getHost, RedisURI::getPort)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("n1", 7000),
              org.assertj.core.groups.Tuple.tuple("n2", 7001),
              org.assertj.core.groups.Tuple.tuple("n3", 6379));
      assertThat(endpoint.nodes())
          .allSatisfy(
              node -> {
                assertThat(username(node)).isEqualTo("app");
                assertThat(password(node)).isEqualTo("pw");
              });
    }

    @Test
    void tlsCluster() {
      RedisEndpoint endpoint = RedisEndpoint.parse("rediss-cluster://n1:7000,n2:7001");

      assertThat(endpoint.tls()).isTrue();
      assertThat(endpoint.nodes()).hasSize(2).allSatisfy(node -> assertThat(node.isSsl()).isTrue());
    }

    @Test
    void databaseZeroIsAllowed() {
      assertThat(RedisEndpoint.parse("redis-cluster://n1:7000/0").urlDatabase()).isZero();
    }

    @Test
    void otherDatabasesAreRejected() {
      assertThatIllegalArgumentException()
          .isThrownBy(
              () -> RedisEndpoint.parse("redis-cluster://:pw@n1:7000,n2:7001/3", "REDIS_URL"))
          .withMessage(
              "REDIS_URL names database 3, but a Redis Cluster only has database 0:"
                  + " 'redis-cluster://:****@n1:7000,n2:7001/3'");
    }
  }

  @Nested
  class Errors {
    @Test
    void badScheme() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("http://x", "REDIS_URL"))
          .withMessage(
              "REDIS_URL is not a valid Redis URL: 'http://x' (expected redis://, rediss://,"
                  + " redis-sentinel://, rediss-sentinel://, redis-cluster:// or"
                  + " rediss-cluster://)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost:6379", "://h", "redis:/h", "redis-socket:///tmp/r.sock"})
    void notAUrlOfAKnownScheme(String url) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse(url))
          .withMessageStartingWith("url is not a valid Redis URL: '" + url + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://", "redis:///3", "redis://user:pw@", "redis-cluster://"})
    void missingHost(String url) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse(url, "REDIS_URL"))
          .withMessageStartingWith("REDIS_URL has no host: '")
          .withMessageNotContaining("pw");
    }

    @ParameterizedTest
    @CsvSource({
      "redis://h:abc, abc",
      "redis://h:0, 0",
      "redis://h:65536, 65536",
      "redis://h:, ''",
      "redis://h:-1, -1",
      "'redis-cluster://n1:7000,n2:70x1', 70x1",
      "redis-sentinel://s1:1e3#m, 1e3",
      "redis://[::1]:x, x",
    })
    void badPort(String url, String port) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse(url, "REDIS_URL"))
          .withMessage(
              "REDIS_URL has an invalid port '" + port + "' (expected 1 to 65535): '" + url + "'");
    }

    @ParameterizedTest
    @CsvSource({"redis://h/16, 16", "redis://h/x, x", "redis://h/-1, -1", "redis://h/1/2, 1/2"})
    void databaseOutOfRange(String url, String database) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse(url, "REDIS_URL"))
          .withMessage(
              "REDIS_URL has an invalid database '"
                  + database
                  + "' (expected 0 to 15): '"
                  + url
                  + "'");
    }

    @Test
    void severalHostsInStandaloneForm() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("rediss://h1,h2", "REDIS_URL"))
          .withMessage(
              "REDIS_URL names 2 hosts, but rediss:// takes one (use rediss-sentinel:// or"
                  + " rediss-cluster:// for several): 'rediss://h1,h2'");
    }

    @Test
    void queryIsRejectedNotIgnored() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("redis://h?database=3"))
          .withMessageStartingWith(
              "url has a query ('?...'), which Tierstate does not read: 'redis://h?database=3'");
    }

    @Test
    void fragmentOutsideSentinelFormIsRejected() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("redis://h#primary"))
          .withMessageStartingWith("url has a '#' fragment, which only the Sentinel form");
    }

    @ParameterizedTest
    @CsvSource({"redis://ho st, ho st", "redis://h_ö:1, h_ö", "redis://:6379, ''"})
    void badHost(String url, String host) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse(url))
          .withMessageContaining(
              host.isEmpty() ? "has no host before ':6379'" : "invalid host '" + host + "'");
    }

    @Test
    void ipv6WithoutBrackets() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("redis://fe80::1"))
          .withMessage(
              "url has an invalid host 'fe80::1' (put IPv6 addresses in brackets, e.g."
                  + " [::1]:6379): 'redis://fe80::1'");
    }

    @Test
    void emptyHostInList() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("redis-cluster://n1,,n2"))
          .withMessage("url has an empty host in its host list: 'redis-cluster://n1,,n2'");
    }

    @Test
    void malformedEscapeDoesNotEchoThePassword() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("redis://app:hunter2%zz@h", "REDIS_URL"))
          .withMessage(
              "REDIS_URL has a malformed %-escape in its user info (expected '%' and two hex"
                  + " digits): 'redis://app:****@h'");
    }

    @Test
    void nullUrl() {
      assertThatNullPointerException().isThrownBy(() -> RedisEndpoint.parse(null));
    }
  }

  @Nested
  class Masking {
    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "redis://app:hunter2@h:1/2 | redis://app:****@h:1/2",
          "redis://hunter2@h | redis://****@h",
          "redis://:hunter2@h | redis://:****@h",
          "redis://a:hun@ter2@h | redis://a:****@h",
          "redis://h | redis://h",
          "app:hunter2@h | app:****@h",
          "http://app:hunter2@h | http://app:****@h",
        })
    void maskHidesEverythingThatCouldBeAPassword(String url, String masked) {
      assertThat(RedisEndpoint.mask(url)).isEqualTo(masked);
    }

    @Test
    void errorMessagesMaskThePassword() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse("http://app:hunter2@h"))
          .withMessageContaining("'http://app:****@h'")
          .withMessageNotContaining("hunter2");
    }

    @Test
    void toStringIsTheUrlWithTheMaskedPassword() {
      assertThat(RedisEndpoint.parse("redis-sentinel://app:hunter2@s1,s2:26380/2#primary"))
          .hasToString("redis-sentinel://app:****@s1:26379,s2:26380/2#primary");
      assertThat(RedisEndpoint.parse("rediss://hunter2@[::1]"))
          .hasToString("rediss://****@[::1]:6379");
      assertThat(RedisEndpoint.parse("rediss-cluster://n1:7000,n2:7001"))
          .hasToString("rediss-cluster://n1:7000,n2:7001");
    }
  }

  @Property
  void noPasswordEverAppearsInToStringOrErrors(
      @ForAll @AlphaChars @NumericChars @StringLength(min = 12, max = 40) String password) {
    String url = "redis-sentinel://app:" + password + "@s1,s2:26380/2#primary";
    assertThat(RedisEndpoint.parse(url).toString()).doesNotContain(password);
    for (String bad :
        List.of(
            url.replace("#primary", ""),
            url.replace("s2:26380", "s2:x"),
            url.replace("redis-sentinel", "http"),
            url.replace("/2", "/99"))) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> RedisEndpoint.parse(bad))
          .withMessageNotContaining(password);
    }
  }

  @Nested
  class Construction {
    @Test
    void nodesAreCopiedInAndOut() {
      RedisURI original = RedisURI.Builder.redis("h", 1).build();
      RedisEndpoint endpoint = new RedisEndpoint(Mode.STANDALONE, List.of(original), null, false);

      original.setHost("changed");
      endpoint.nodes().get(0).setPort(2);

      assertThat(endpoint.nodes().get(0).getHost()).isEqualTo("h");
      assertThat(endpoint.nodes().get(0).getPort()).isEqualTo(1);
    }

    @Test
    void equalUrlsGiveEqualEndpoints() {
      assertThat(RedisEndpoint.parse("redis://h:1/2"))
          .isEqualTo(RedisEndpoint.parse("REDIS://h:1/2"));
      assertThat(RedisEndpoint.parse("redis://h:1/2"))
          .isNotEqualTo(RedisEndpoint.parse("redis://h:1/3"));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"redis://h:1/2", "rediss-sentinel://s1:1,s2:2/3#m", "redis-cluster://n1:1,n2:2"})
    void toStringParsesBackToAnEqualEndpoint(String url) {
      RedisEndpoint endpoint = RedisEndpoint.parse(url);
      assertThat(RedisEndpoint.parse(endpoint.toString())).isEqualTo(endpoint);
    }

    @Test
    void rejectsInconsistentComponents() {
      RedisURI plain = RedisURI.Builder.redis("h", 1).build();
      RedisURI secure = RedisURI.Builder.redis("h", 1).withSsl(true).build();
      RedisURI database3 = RedisURI.Builder.redis("h", 1).withDatabase(3).build();

      assertThatIllegalArgumentException()
          .isThrownBy(() -> new RedisEndpoint(Mode.STANDALONE, List.of(), null, false))
          .withMessage("nodes must not be empty");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> new RedisEndpoint(Mode.STANDALONE, List.of(plain, plain), null, false))
          .withMessage("a STANDALONE endpoint has exactly one node, but was given 2");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> new RedisEndpoint(Mode.SENTINEL, List.of(plain), " ", false))
          .withMessage("a SENTINEL endpoint needs a sentinelMasterId");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> new RedisEndpoint(Mode.CLUSTER, List.of(plain), "m", false))
          .withMessage("sentinelMasterId is only for SENTINEL endpoints, but mode was CLUSTER");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> new RedisEndpoint(Mode.STANDALONE, List.of(secure), null, false))
          .withMessageEndingWith("uses TLS, but tls was false");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> new RedisEndpoint(Mode.CLUSTER, List.of(database3), null, false))
          .withMessage("a Redis Cluster only has database 0, but a node names database 3");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  new RedisEndpoint(
                      Mode.STANDALONE,
                      List.of(RedisURI.Builder.socket("/tmp/r.sock").build()),
                      null,
                      false))
          .withMessageStartingWith(
              "nodes must have a host and port (Unix sockets are not supported)");
    }
  }

  @Nested
  class ToRedisUris {
    @Test
    void standaloneTakesTheUrlsCredentialsAndTheCommandTimeout() {
      TierstateConfig config =
          TierstateConfig.builder()
              .redisUrl("rediss://app:pw@h:6380/4")
              .commandTimeout(Duration.ofMillis(750))
              .build();

      List<RedisURI> uris = config.redisEndpoint().toRedisUris(config);

      assertThat(uris)
          .singleElement()
          .satisfies(
              uri -> {
                assertThat(uri.getHost()).isEqualTo("h");
                assertThat(uri.getPort()).isEqualTo(6380);
                assertThat(uri.isSsl()).isTrue();
                assertThat(uri.getDatabase()).isEqualTo(4);
                assertThat(uri.getTimeout()).isEqualTo(Duration.ofMillis(750));
                assertThat(username(uri)).isEqualTo("app");
                assertThat(password(uri)).isEqualTo("pw");
              });
    }

    @Test
    void configOverridesUsernamePasswordAndDatabase() {
      TierstateConfig config =
          TierstateConfig.fromEnv(
              java.util.Map.of(
                  "REDIS_URL", "redis://app:pw@h/4",
                  "REDIS_USERNAME", "other",
                  "REDIS_PASSWORD", "better",
                  "REDIS_DB", "7"));

      RedisURI uri = config.redisEndpoint().toRedisUris(config).get(0);

      assertThat(uri.getDatabase()).isEqualTo(7);
      assertThat(username(uri)).isEqualTo("other");
      assertThat(password(uri)).isEqualTo("better");
    }

    @Test
    void passwordOnlyOverrideKeepsTheUrlsUsername() {
      TierstateConfig config =
          TierstateConfig.builder().redisUrl("redis://app:pw@h").redisPassword("better").build();

      RedisURI uri = config.redisEndpoint().toRedisUris(config).get(0);

      assertThat(username(uri)).isEqualTo("app");
      assertThat(password(uri)).isEqualTo("better");
    }

    @Test
    void sentinelGivesOneUriWithTheSentinelsAndTheMaster() {
      TierstateConfig config =
          TierstateConfig.builder()
              .redisUrl("rediss-sentinel://pw@s1:26380,s2/2#primary")
              .commandTimeout(Duration.ofSeconds(3))
              .build();

      List<RedisURI> uris = config.redisEndpoint().toRedisUris(config);

      assertThat(uris)
          .singleElement()
          .satisfies(
              uri -> {
                assertThat(uri.getSentinelMasterId()).isEqualTo("primary");
                assertThat(uri.getDatabase()).isEqualTo(2);
                assertThat(uri.isSsl()).isTrue();
                assertThat(uri.getTimeout()).isEqualTo(Duration.ofSeconds(3));
                assertThat(password(uri)).isEqualTo("pw");
                assertThat(uri.getSentinels())
                    .extracting(RedisURI::getHost, RedisURI::getPort, RedisURI::isSsl)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s1", 26380, true),
                        org.assertj.core.groups.Tuple.tuple("s2", 26379, true));
              });
    }

    @Test
    void clusterGivesOneUriPerSeed() {
      TierstateConfig config =
          TierstateConfig.builder()
              .redisUrl("redis-cluster://n1:7000,n2:7001")
              .redisUsername("app")
              .redisPassword("pw")
              .build();

      List<RedisURI> uris = config.redisEndpoint().toRedisUris(config);

      assertThat(uris)
          .extracting(RedisURI::getHost, RedisURI::getPort, RedisURI::getDatabase)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("n1", 7000, 0),
              org.assertj.core.groups.Tuple.tuple("n2", 7001, 0));
      assertThat(uris)
          .allSatisfy(
              uri -> {
                assertThat(username(uri)).isEqualTo("app");
                assertThat(password(uri)).isEqualTo("pw");
                assertThat(uri.getTimeout()).isEqualTo(TierstateConfig.DEFAULT_COMMAND_TIMEOUT);
              });
    }

    @Test
    void clusterRejectsADatabaseFromAnotherConfig() {
      TierstateConfig config = TierstateConfig.builder().redisDatabase(2).build();
      RedisEndpoint cluster = RedisEndpoint.parse("redis-cluster://n1:7000");

      assertThatIllegalArgumentException()
          .isThrownBy(() -> cluster.toRedisUris(config))
          .withMessage(
              "redisDatabase must be 0 for a Redis Cluster (clusters only have database 0), but"
                  + " was 2");
    }

    @Test
    void returnedUrisAreTheCallersToChange() {
      TierstateConfig config = TierstateConfig.defaults();
      config.redisEndpoint().toRedisUris(config).get(0).setPort(1);

      assertThat(config.redisEndpoint().toRedisUris(config).get(0).getPort()).isEqualTo(6379);
    }
  }

  static String username(RedisURI uri) {
    RedisCredentials credentials = credentials(uri);
    return credentials.hasUsername() ? credentials.getUsername() : null;
  }

  static String password(RedisURI uri) {
    RedisCredentials credentials = credentials(uri);
    return credentials.hasPassword() ? new String(credentials.getPassword()) : null;
  }

  private static RedisCredentials credentials(RedisURI uri) {
    return ((RedisCredentialsProvider.ImmediateRedisCredentialsProvider)
            uri.getCredentialsProvider())
        .resolveCredentialsNow();
  }
}
