package io.tierstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tierstate.RedisEndpoint.Mode;
import io.tierstate.codec.Codec;
import io.tierstate.codec.TypeRef;
import io.tierstate.testkit.TlsCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TierstateConfigUnitTests {

  /** Every variable Tierstate reads. */
  static final String[] VARIABLES = {
    "REDIS_URL",
    "REDIS_USERNAME",
    "REDIS_PASSWORD",
    "REDIS_DB",
    "REDIS_REQUIRED",
    "REDIS_TLS_CA_FILE",
    "REDIS_TLS_CERT_FILE",
    "REDIS_TLS_KEY_FILE",
    "TIERSTATE_COMMAND_TIMEOUT",
    "TIERSTATE_CONNECT_TIMEOUT",
    "TIERSTATE_NAMESPACE",
    "TIERSTATE_L1_MAX_SIZE",
    "TIERSTATE_L1_MAX_AGE",
    "TIERSTATE_DEGRADED_L1_TTL",
    "TIERSTATE_DEFAULT_TTL",
    "TIERSTATE_MAX_VALUE_BYTES",
    "TIERSTATE_COMPRESSION_THRESHOLD",
    "TIERSTATE_LOAD_LEASE_TTL",
    "TIERSTATE_INVALIDATION_LOG_MAX_LENGTH",
    "TIERSTATE_NODE_ID",
    "TIERSTATE_BREAKER_FAILURE_THRESHOLD",
    "TIERSTATE_BREAKER_OPEN_DURATION",
    "TIERSTATE_DIRECT_READ_CONNECTIONS",
    "TIERSTATE_NODE_HEARTBEAT",
    "TIERSTATE_HOT_KEY_SAMPLING",
  };

  @Nested
  class Defaults {
    @Test
    void everyOptionHasItsDocumentedDefault() {
      assertDefaults(TierstateConfig.defaults());
    }

    @Test
    void anEmptyEnvironmentGivesTheDefaults() {
      assertDefaults(TierstateConfig.fromEnv(Map.of()));
    }

    @Test
    void emptyVariablesCountAsUnset() {
      Map<String, String> env = new HashMap<>();
      for (String variable : VARIABLES) {
        env.put(variable, "");
      }
      assertDefaults(TierstateConfig.fromEnv(env));
    }

    @Test
    void blankVariablesCountAsUnset() {
      Map<String, String> env = new HashMap<>();
      for (String variable : VARIABLES) {
        env.put(variable, "  ");
      }
      env.remove("REDIS_PASSWORD"); // credentials are taken as they are
      env.remove("REDIS_USERNAME");
      assertDefaults(TierstateConfig.fromEnv(env));
    }

    @Test
    void unknownVariablesAreIgnored() {
      assertDefaults(
          TierstateConfig.fromEnv(
              Map.of("TIERSTATE_UNKNOWN", "x", "PATH", "/usr/bin", "REDIS_HOST", "elsewhere")));
    }

    @Test
    void theConstantsHaveTheDocumentedValues() {
      assertThat(TierstateConfig.DEFAULT_REDIS_URL).isEqualTo("redis://127.0.0.1:6379");
      assertThat(TierstateConfig.DEFAULT_REDIS_DATABASE).isZero();
      assertThat(TierstateConfig.DEFAULT_REDIS_REQUIRED).isFalse();
      assertThat(TierstateConfig.DEFAULT_COMMAND_TIMEOUT).isEqualTo(Duration.ofSeconds(1));
      assertThat(TierstateConfig.DEFAULT_CONNECT_TIMEOUT).isEqualTo(Duration.ofSeconds(2));
      assertThat(TierstateConfig.DEFAULT_NAMESPACE).isEqualTo("ts");
      assertThat(TierstateConfig.DEFAULT_L1_MAXIMUM_SIZE).isEqualTo(10_000);
      assertThat(TierstateConfig.DEFAULT_L1_MAXIMUM_AGE).isEqualTo(Duration.ofMinutes(5));
      assertThat(TierstateConfig.DEFAULT_DEGRADED_L1_TTL).isEqualTo(Duration.ofSeconds(5));
      assertThat(TierstateConfig.DEFAULT_TTL).isEqualTo(Duration.ofMinutes(5));
      assertThat(TierstateConfig.DEFAULT_MAX_VALUE_BYTES).isEqualTo(1_048_576);
      assertThat(TierstateConfig.DEFAULT_COMPRESSION_THRESHOLD).isEqualTo(1024);
      assertThat(TierstateConfig.DEFAULT_LOAD_LEASE_TTL).isEqualTo(Duration.ofSeconds(10));
      assertThat(TierstateConfig.DEFAULT_INVALIDATION_LOG_MAX_LENGTH).isEqualTo(100_000);
      assertThat(TierstateConfig.DEFAULT_BREAKER_FAILURE_THRESHOLD).isEqualTo(3);
      assertThat(TierstateConfig.DEFAULT_BREAKER_OPEN_DURATION).isEqualTo(Duration.ofSeconds(1));
      assertThat(TierstateConfig.DEFAULT_DIRECT_READ_CONNECTIONS).isEqualTo(8);
      assertThat(TierstateConfig.DEFAULT_NODE_HEARTBEAT).isEqualTo(Duration.ofSeconds(5));
      assertThat(TierstateConfig.DEFAULT_HOT_KEY_SAMPLING).isEqualTo(256);
    }

    @Test
    void eachConfigBuiltWithoutANodeIdGetsItsOwnRandomOne() {
      String first = TierstateConfig.defaults().nodeId();
      String second = TierstateConfig.builder().build().nodeId();

      assertThat(first).matches("[0-9a-f]{12}");
      assertThat(second).matches("[0-9a-f]{12}").isNotEqualTo(first);
    }

    private void assertDefaults(TierstateConfig config) {
      assertThat(config.redisEndpoint()).isEqualTo(RedisEndpoint.parse("redis://127.0.0.1:6379"));
      assertThat(config.redisEndpoint().mode()).isEqualTo(Mode.STANDALONE);
      assertThat(config.redisUsername()).isEmpty();
      assertThat(config.redisPassword()).isEmpty();
      assertThat(config.redisDatabase()).isEqualTo(TierstateConfig.DEFAULT_REDIS_DATABASE);
      assertThat(config.redisRequired()).isEqualTo(TierstateConfig.DEFAULT_REDIS_REQUIRED);
      assertThat(config.redisTlsCaFile()).isEmpty();
      assertThat(config.redisTlsClientCertificate()).isEmpty();
      assertThat(config.commandTimeout()).isEqualTo(TierstateConfig.DEFAULT_COMMAND_TIMEOUT);
      assertThat(config.connectTimeout()).isEqualTo(TierstateConfig.DEFAULT_CONNECT_TIMEOUT);
      assertThat(config.namespace()).isEqualTo(TierstateConfig.DEFAULT_NAMESPACE);
      assertThat(config.l1MaximumSize()).isEqualTo(TierstateConfig.DEFAULT_L1_MAXIMUM_SIZE);
      assertThat(config.l1MaximumAge()).isEqualTo(TierstateConfig.DEFAULT_L1_MAXIMUM_AGE);
      assertThat(config.degradedL1Ttl()).isEqualTo(TierstateConfig.DEFAULT_DEGRADED_L1_TTL);
      assertThat(config.defaultTtl()).isEqualTo(TierstateConfig.DEFAULT_TTL);
      assertThat(config.maxValueBytes()).isEqualTo(TierstateConfig.DEFAULT_MAX_VALUE_BYTES);
      assertThat(config.compressionThreshold())
          .isEqualTo(TierstateConfig.DEFAULT_COMPRESSION_THRESHOLD);
      assertThat(config.loadLeaseTtl()).isEqualTo(TierstateConfig.DEFAULT_LOAD_LEASE_TTL);
      assertThat(config.invalidationLogMaxLength())
          .isEqualTo(TierstateConfig.DEFAULT_INVALIDATION_LOG_MAX_LENGTH);
      assertThat(config.nodeId()).matches("[0-9a-f]{12}");
      assertThat(config.breakerFailureThreshold())
          .isEqualTo(TierstateConfig.DEFAULT_BREAKER_FAILURE_THRESHOLD);
      assertThat(config.breakerOpenDuration())
          .isEqualTo(TierstateConfig.DEFAULT_BREAKER_OPEN_DURATION);
      assertThat(config.directReadConnections())
          .isEqualTo(TierstateConfig.DEFAULT_DIRECT_READ_CONNECTIONS);
      assertThat(config.nodeHeartbeat()).isEqualTo(TierstateConfig.DEFAULT_NODE_HEARTBEAT);
      assertThat(config.hotKeySampling()).isEqualTo(TierstateConfig.DEFAULT_HOT_KEY_SAMPLING);
      assertThat(config.meterRegistry()).isEmpty();
      assertThat(config.codec()).isEmpty();
    }
  }

  @Nested
  class FromEnv {
    @Test
    void everyVariableIsRead() {
      Map<String, String> env = new HashMap<>();
      env.put("REDIS_URL", "rediss://cache.internal:6380");
      env.put("REDIS_USERNAME", "app");
      env.put("REDIS_PASSWORD", "s3cret");
      env.put("REDIS_DB", "4");
      env.put("REDIS_REQUIRED", "true");
      TlsCertificates certificates = TlsCertificates.issue();
      Path caFile = certificates.caFile();
      env.put("REDIS_TLS_CA_FILE", caFile.toString());
      env.put("REDIS_TLS_CERT_FILE", certificates.certificateFile().toString());
      env.put("REDIS_TLS_KEY_FILE", certificates.keyFile().toString());
      env.put("TIERSTATE_COMMAND_TIMEOUT", "750ms");
      env.put("TIERSTATE_CONNECT_TIMEOUT", "3s");
      env.put("TIERSTATE_NAMESPACE", "shop.v2");
      env.put("TIERSTATE_L1_MAX_SIZE", "0");
      env.put("TIERSTATE_L1_MAX_AGE", "1h");
      env.put("TIERSTATE_DEGRADED_L1_TTL", "PT30S");
      env.put("TIERSTATE_DEFAULT_TTL", "1d");
      env.put("TIERSTATE_MAX_VALUE_BYTES", "2048");
      env.put("TIERSTATE_COMPRESSION_THRESHOLD", "0");
      env.put("TIERSTATE_LOAD_LEASE_TTL", "20s");
      env.put("TIERSTATE_INVALIDATION_LOG_MAX_LENGTH", "1000");
      env.put("TIERSTATE_NODE_ID", "web-1");
      env.put("TIERSTATE_BREAKER_FAILURE_THRESHOLD", "5");
      env.put("TIERSTATE_BREAKER_OPEN_DURATION", "10s");
      env.put("TIERSTATE_DIRECT_READ_CONNECTIONS", "0");
      env.put("TIERSTATE_NODE_HEARTBEAT", "2s");
      env.put("TIERSTATE_HOT_KEY_SAMPLING", "0");

      TierstateConfig config = TierstateConfig.fromEnv(env);

      assertThat(config.redisEndpoint())
          .isEqualTo(RedisEndpoint.parse("rediss://cache.internal:6380"));
      assertThat(config.redisUsername()).contains("app");
      assertThat(config.redisPassword()).contains("s3cret");
      assertThat(config.redisDatabase()).isEqualTo(4);
      assertThat(config.redisRequired()).isTrue();
      assertThat(config.redisTlsCaFile()).contains(caFile);
      assertThat(config.redisTlsClientCertificate())
          .contains(
              new TierstateConfig.TlsClientCertificate(
                  certificates.certificateFile(), certificates.keyFile()));
      assertThat(config.commandTimeout()).isEqualTo(Duration.ofMillis(750));
      assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
      assertThat(config.namespace()).isEqualTo("shop.v2");
      assertThat(config.l1MaximumSize()).isZero();
      assertThat(config.l1MaximumAge()).isEqualTo(Duration.ofHours(1));
      assertThat(config.degradedL1Ttl()).isEqualTo(Duration.ofSeconds(30));
      assertThat(config.defaultTtl()).isEqualTo(Duration.ofDays(1));
      assertThat(config.maxValueBytes()).isEqualTo(2048);
      assertThat(config.compressionThreshold()).isZero();
      assertThat(config.loadLeaseTtl()).isEqualTo(Duration.ofSeconds(20));
      assertThat(config.invalidationLogMaxLength()).isEqualTo(1000);
      assertThat(config.nodeId()).isEqualTo("web-1");
      assertThat(config.breakerFailureThreshold()).isEqualTo(5);
      assertThat(config.breakerOpenDuration()).isEqualTo(Duration.ofSeconds(10));
      assertThat(config.directReadConnections()).isZero();
      assertThat(config.nodeHeartbeat()).isEqualTo(Duration.ofSeconds(2));
      assertThat(config.hotKeySampling()).isZero();
    }

    @ParameterizedTest
    @CsvSource({
      "500ms, PT0.5S",
      "2s, PT2S",
      "5m, PT5M",
      "1h, PT1H",
      "1d, PT24H",
      "PT5S, PT5S",
      "pt1m30s, PT1M30S",
      "P1D, PT24H",
      "5S, PT5S",
      "' 30s ', PT30S",
    })
    void durationForms(String text, Duration expected) {
      assertThat(TierstateConfig.fromEnv(Map.of("TIERSTATE_DEFAULT_TTL", text)).defaultTtl())
          .isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
      "true, true", "TRUE, true", "yes, true", "Yes, true", "1, true",
      "false, false", "False, false", "no, false", "NO, false", "0, false",
    })
    void booleanForms(String text, boolean expected) {
      assertThat(TierstateConfig.fromEnv(Map.of("REDIS_REQUIRED", text)).redisRequired())
          .isEqualTo(expected);
    }

    @Test
    void urlCredentialsAndDatabaseApplyWhenNotOverridden() {
      TierstateConfig config = TierstateConfig.fromEnv(Map.of("REDIS_URL", "redis://app:pw@h/3"));

      assertThat(config.redisUsername()).contains("app");
      assertThat(config.redisPassword()).contains("pw");
      assertThat(config.redisDatabase()).isEqualTo(3);
    }

    @Test
    void variablesOverrideTheUrlsCredentialsAndDatabase() {
      TierstateConfig config =
          TierstateConfig.fromEnv(
              Map.of(
                  "REDIS_URL", "redis://app:pw@h/3",
                  "REDIS_USERNAME", "other",
                  "REDIS_PASSWORD", " spaces are kept ",
                  "REDIS_DB", "0"));

      assertThat(config.redisUsername()).contains("other");
      assertThat(config.redisPassword()).contains(" spaces are kept ");
      assertThat(config.redisDatabase()).isZero();
    }

    @Test
    void sentinelAndClusterUrls() {
      TierstateConfig sentinel =
          TierstateConfig.fromEnv(Map.of("REDIS_URL", "redis-sentinel://s1,s2:26380/1#primary"));
      TierstateConfig cluster =
          TierstateConfig.fromEnv(
              Map.of("REDIS_URL", "redis-cluster://n1:7000,n2:7001", "REDIS_DB", "0"));

      assertThat(sentinel.redisEndpoint().mode()).isEqualTo(Mode.SENTINEL);
      assertThat(sentinel.redisDatabase()).isEqualTo(1);
      assertThat(cluster.redisEndpoint().mode()).isEqualTo(Mode.CLUSTER);
      assertThat(cluster.redisEndpoint().nodes()).hasSize(2);
      assertThat(cluster.redisDatabase()).isZero();
    }

    @ParameterizedTest
    @MethodSource("io.tierstate.TierstateConfigUnitTests#invalidValues")
    void invalidValueNamesTheVariableAndTheValue(String variable, String value, String rule) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of(variable, value)))
          .withMessage(variable + " must be " + rule + ", but was '" + value.strip() + "'");
    }

    @Test
    void aTlsCaFileMustGoWithTlsAndHoldCertificates(@TempDir Path dir) throws IOException {
      Path caFile = TlsCertificates.issue().caFile();
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("REDIS_TLS_CA_FILE", caFile.toString())))
          .withMessage(
              "REDIS_TLS_CA_FILE is set, but REDIS_URL does not use TLS: use rediss://,"
                  + " rediss-sentinel:// or rediss-cluster://, or unset REDIS_TLS_CA_FILE");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.builder().redisTlsCaFile(caFile).build())
          .withMessageStartingWith("redisTlsCaFile is set, but redisEndpoint does not use TLS");

      Path missing = dir.resolve("missing.pem");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of(
                          "REDIS_URL",
                          "rediss://cache:6380",
                          "REDIS_TLS_CA_FILE",
                          missing.toString())))
          .withMessageStartingWith(
              "REDIS_TLS_CA_FILE '" + missing + "' cannot be read as PEM certificates");
      Path notPem =
          Files.writeString(
              dir.resolve("key.pem"),
              "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of(
                          "REDIS_URL",
                          "rediss://cache:6380",
                          "REDIS_TLS_CA_FILE",
                          notPem.toString())))
          .withMessageStartingWith("REDIS_TLS_CA_FILE '" + notPem + "' ");
      Path empty = Files.writeString(dir.resolve("empty.pem"), "");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.builder()
                      .redisUrl("rediss://cache:6380")
                      .redisTlsCaFile(empty)
                      .build())
          .withMessageStartingWith("redisTlsCaFile '" + empty + "' ");
    }

    @Test
    void aTlsClientCertificateNeedsBothFilesTlsAndAPkcs8Key(@TempDir Path dir) throws IOException {
      TlsCertificates certificates = TlsCertificates.issue();
      String cert = certificates.certificateFile().toString();
      String key = certificates.keyFile().toString();
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of("REDIS_URL", "rediss://cache:6380", "REDIS_TLS_CERT_FILE", cert)))
          .withMessage(
              "REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both for a client certificate,"
                  + " or neither");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.builder()
                      .redisTlsClientCertificate(certificates.certificateFile(), null))
          .withMessage(
              "redisTlsClientCertificate needs both a certificate file and a key file, or neither");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of("REDIS_TLS_CERT_FILE", cert, "REDIS_TLS_KEY_FILE", key)))
          .withMessage(
              "REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE set, but REDIS_URL does not use TLS: use"
                  + " rediss://, rediss-sentinel:// or rediss-cluster://");

      Path pkcs1 =
          Files.writeString(
              dir.resolve("rsa.pem"),
              "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of(
                          "REDIS_URL",
                          "rediss://cache:6380",
                          "REDIS_TLS_CERT_FILE",
                          cert,
                          "REDIS_TLS_KEY_FILE",
                          pkcs1.toString())))
          .withMessageStartingWith(
              "REDIS_TLS_KEY_FILE '"
                  + pkcs1
                  + "' cannot be read as a private key: it holds a"
                  + " PKCS#1 or SEC1 key; an unencrypted PKCS#8 key is needed");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of(
                          "REDIS_URL",
                          "rediss://cache:6380",
                          "REDIS_TLS_CERT_FILE",
                          key,
                          "REDIS_TLS_KEY_FILE",
                          key)))
          .withMessageStartingWith("REDIS_TLS_CERT_FILE '" + key + "' ");
    }

    @Test
    void messagesFromTheDesign() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("TIERSTATE_DEFAULT_TTL", "abc")))
          .withMessage(
              "TIERSTATE_DEFAULT_TTL must be a duration such as 500ms, 30s, 5m or PT5M, but was"
                  + " 'abc'");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("TIERSTATE_L1_MAX_SIZE", "x")))
          .withMessage("TIERSTATE_L1_MAX_SIZE must be a whole number >= 0, but was 'x'");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("REDIS_URL", "http://x")))
          .withMessage(
              "REDIS_URL is not a valid Redis URL: 'http://x' (expected redis://, rediss://,"
                  + " redis-sentinel://, rediss-sentinel://, redis-cluster:// or"
                  + " rediss-cluster://)");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("REDIS_URL", "redis-sentinel://s1,s2")))
          .withMessage(
              "REDIS_URL sentinel form needs the master name after '#': 'redis-sentinel://s1,s2'");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"redis://:hunter2@h:x", "rediss://app:hunter2@h/16", "ftp://app:hunter2@h"})
    void invalidUrlNamesTheVariableButNotThePassword(String url) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("REDIS_URL", url)))
          .withMessageStartingWith("REDIS_URL ")
          .withMessageContaining("****@h")
          .withMessageNotContaining("hunter2");
    }

    @Test
    void clusterOnlyHasDatabaseZero() {
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of("REDIS_URL", "redis-cluster://n1:7000,n2:7001", "REDIS_DB", "3")))
          .withMessage(
              "REDIS_DB was 3 but must be 0 for a Redis Cluster (clusters only have database 0)");
    }

    @Test
    void degradedL1TtlMustNotExceedTheMaximumAge() {
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.fromEnv(
                      Map.of("TIERSTATE_DEGRADED_L1_TTL", "10m", "TIERSTATE_L1_MAX_AGE", "5m")))
          .withMessage(
              "TIERSTATE_DEGRADED_L1_TTL was 10m but must not be greater than TIERSTATE_L1_MAX_AGE"
                  + " (5m)");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("TIERSTATE_L1_MAX_AGE", "1s")))
          .withMessage(
              "TIERSTATE_DEGRADED_L1_TTL was 5s but must not be greater than TIERSTATE_L1_MAX_AGE"
                  + " (1s)");
      assertThat(
              TierstateConfig.fromEnv(
                      Map.of("TIERSTATE_DEGRADED_L1_TTL", "5m", "TIERSTATE_L1_MAX_AGE", "5m"))
                  .degradedL1Ttl())
          .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void usernameNeedsAPassword() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.fromEnv(Map.of("REDIS_USERNAME", "app")))
          .withMessage(
              "REDIS_USERNAME requires a password: set REDIS_PASSWORD or put one in REDIS_URL"
                  + " (user:password@host)");
      assertThat(
              TierstateConfig.fromEnv(Map.of("REDIS_USERNAME", "app", "REDIS_URL", "redis://:pw@h"))
                  .redisUsername())
          .contains("app");
    }
  }

  static Stream<Arguments> invalidValues() {
    String duration = "a duration such as 500ms, 30s, 5m or PT5M";
    String identifier = "1 to 64 characters from A-Z a-z 0-9 _ . -";
    return Stream.of(
        Arguments.of("REDIS_DB", "16", "a whole number from 0 to 15"),
        Arguments.of("REDIS_DB", "-1", "a whole number from 0 to 15"),
        Arguments.of("REDIS_DB", "one", "a whole number from 0 to 15"),
        Arguments.of("REDIS_REQUIRED", "maybe", "one of true, false, yes, no, 1 or 0"),
        Arguments.of("REDIS_REQUIRED", "on", "one of true, false, yes, no, 1 or 0"),
        Arguments.of("TIERSTATE_COMMAND_TIMEOUT", "abc", duration),
        Arguments.of("TIERSTATE_COMMAND_TIMEOUT", "0s", "at least 1ms"),
        Arguments.of("TIERSTATE_COMMAND_TIMEOUT", "PT0.0001S", "at least 1ms"),
        Arguments.of("TIERSTATE_CONNECT_TIMEOUT", "-2s", duration),
        Arguments.of("TIERSTATE_CONNECT_TIMEOUT", "PT-2S", "at least 1ms"),
        Arguments.of("TIERSTATE_NAMESPACE", "a:b", identifier),
        Arguments.of("TIERSTATE_NAMESPACE", "{ts}", identifier),
        Arguments.of("TIERSTATE_NAMESPACE", "ts*", identifier),
        Arguments.of("TIERSTATE_NAMESPACE", "x".repeat(65), identifier),
        Arguments.of("TIERSTATE_L1_MAX_SIZE", "-1", "a whole number >= 0"),
        Arguments.of("TIERSTATE_L1_MAX_SIZE", "10k", "a whole number >= 0"),
        Arguments.of("TIERSTATE_L1_MAX_AGE", "5 minutes", duration),
        Arguments.of("TIERSTATE_L1_MAX_AGE", "0ms", "at least 1ms"),
        Arguments.of("TIERSTATE_DEGRADED_L1_TTL", "1.5s", duration),
        Arguments.of("TIERSTATE_DEFAULT_TTL", "abc", duration),
        Arguments.of("TIERSTATE_DEFAULT_TTL", "5", duration),
        Arguments.of("TIERSTATE_DEFAULT_TTL", "99999999999999999999d", duration),
        Arguments.of("TIERSTATE_MAX_VALUE_BYTES", "0", "a whole number from 1 to 536870912"),
        Arguments.of(
            "TIERSTATE_MAX_VALUE_BYTES", "536870913", "a whole number from 1 to 536870912"),
        Arguments.of("TIERSTATE_MAX_VALUE_BYTES", "1MiB", "a whole number from 1 to 536870912"),
        Arguments.of("TIERSTATE_COMPRESSION_THRESHOLD", "-1", "a whole number >= 0"),
        Arguments.of("TIERSTATE_COMPRESSION_THRESHOLD", "4294967296", "a whole number >= 0"),
        Arguments.of("TIERSTATE_LOAD_LEASE_TTL", "0d", "at least 1ms"),
        Arguments.of("TIERSTATE_INVALIDATION_LOG_MAX_LENGTH", "999", "a whole number >= 1000"),
        Arguments.of("TIERSTATE_INVALIDATION_LOG_MAX_LENGTH", "1e6", "a whole number >= 1000"),
        Arguments.of("TIERSTATE_NODE_ID", "web 1", identifier),
        Arguments.of("TIERSTATE_NODE_ID", "wéb", identifier),
        Arguments.of("TIERSTATE_BREAKER_FAILURE_THRESHOLD", "0", "a whole number >= 1"),
        Arguments.of("TIERSTATE_BREAKER_FAILURE_THRESHOLD", "three", "a whole number >= 1"),
        Arguments.of("TIERSTATE_BREAKER_OPEN_DURATION", "1y", duration),
        Arguments.of("TIERSTATE_BREAKER_OPEN_DURATION", " 0s ", "at least 1ms"),
        Arguments.of("TIERSTATE_DIRECT_READ_CONNECTIONS", "-1", "a whole number from 0 to 1024"),
        Arguments.of("TIERSTATE_DIRECT_READ_CONNECTIONS", "1025", "a whole number from 0 to 1024"),
        Arguments.of("TIERSTATE_NODE_HEARTBEAT", "0s", "at least 1ms"),
        Arguments.of("TIERSTATE_HOT_KEY_SAMPLING", "-1", "a whole number from 0 to 1048576"),
        Arguments.of("TIERSTATE_HOT_KEY_SAMPLING", "1048577", "a whole number from 0 to 1048576"),
        Arguments.of("TIERSTATE_HOT_KEY_SAMPLING", "off", "a whole number from 0 to 1048576"));
  }

  @Nested
  class Builder {
    @Test
    void everySetterIsApplied() {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      Codec codec = new NoCodec();
      TierstateConfig config =
          TierstateConfig.builder()
              .redisUrl("redis-sentinel://s1#primary")
              .redisUsername("app")
              .redisPassword("pw")
              .redisDatabase(2)
              .redisRequired(true)
              .commandTimeout(Duration.ofMillis(200))
              .connectTimeout(Duration.ofMillis(300))
              .namespace("orders")
              .l1MaximumSize(42)
              .l1MaximumAge(Duration.ofMinutes(1))
              .degradedL1Ttl(Duration.ofSeconds(1))
              .defaultTtl(Duration.ofHours(2))
              .maxValueBytes(512 << 20)
              .compressionThreshold(4096)
              .loadLeaseTtl(Duration.ofSeconds(3))
              .invalidationLogMaxLength(5000)
              .nodeId("node_7")
              .breakerFailureThreshold(1)
              .breakerOpenDuration(Duration.ofMillis(1))
              .directReadConnections(2)
              .hotKeySampling(1)
              .meterRegistry(registry)
              .codec(codec)
              .build();

      assertThat(config.redisEndpoint().mode()).isEqualTo(Mode.SENTINEL);
      assertThat(config.redisUsername()).contains("app");
      assertThat(config.redisPassword()).contains("pw");
      assertThat(config.redisDatabase()).isEqualTo(2);
      assertThat(config.redisRequired()).isTrue();
      assertThat(config.commandTimeout()).isEqualTo(Duration.ofMillis(200));
      assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(300));
      assertThat(config.namespace()).isEqualTo("orders");
      assertThat(config.l1MaximumSize()).isEqualTo(42);
      assertThat(config.l1MaximumAge()).isEqualTo(Duration.ofMinutes(1));
      assertThat(config.degradedL1Ttl()).isEqualTo(Duration.ofSeconds(1));
      assertThat(config.defaultTtl()).isEqualTo(Duration.ofHours(2));
      assertThat(config.maxValueBytes()).isEqualTo(512 << 20);
      assertThat(config.compressionThreshold()).isEqualTo(4096);
      assertThat(config.loadLeaseTtl()).isEqualTo(Duration.ofSeconds(3));
      assertThat(config.invalidationLogMaxLength()).isEqualTo(5000);
      assertThat(config.nodeId()).isEqualTo("node_7");
      assertThat(config.breakerFailureThreshold()).isEqualTo(1);
      assertThat(config.breakerOpenDuration()).isEqualTo(Duration.ofMillis(1));
      assertThat(config.directReadConnections()).isEqualTo(2);
      assertThat(config.hotKeySampling()).isEqualTo(1);
      assertThat(config.meterRegistry()).containsSame(registry);
      assertThat(config.codec()).containsSame(codec);
    }

    @ParameterizedTest
    @MethodSource("io.tierstate.TierstateConfigUnitTests#invalidSetterCalls")
    void invalidValueNamesTheSetter(String message, Consumer<TierstateConfig.Builder> call) {
      TierstateConfig.Builder builder = TierstateConfig.builder();
      assertThatIllegalArgumentException()
          .isThrownBy(() -> call.accept(builder))
          .withMessage(message);
    }

    @Test
    void nullArgumentsAreRejected() {
      TierstateConfig.Builder b = TierstateConfig.builder();
      for (ThrowingCallable call :
          new ThrowingCallable[] {
            () -> b.redisEndpoint(null), () -> b.redisUrl(null), () -> b.commandTimeout(null),
            () -> b.connectTimeout(null), () -> b.namespace(null), () -> b.l1MaximumAge(null),
            () -> b.degradedL1Ttl(null), () -> b.defaultTtl(null), () -> b.loadLeaseTtl(null),
            () -> b.breakerOpenDuration(null),
          }) {
        assertThatNullPointerException().isThrownBy(call);
      }
      assertThatNullPointerException().isThrownBy(() -> TierstateConfig.fromEnv(null));
    }

    @Test
    void nullableOptionsCanBeReset() {
      TierstateConfig config =
          TierstateConfig.builder()
              .redisUrl("redis://app:pw@h")
              .redisUsername("other")
              .redisUsername(null)
              .nodeId("fixed")
              .nodeId(null)
              .meterRegistry(new SimpleMeterRegistry())
              .meterRegistry(null)
              .codec(new NoCodec())
              .codec(null)
              .build();

      assertThat(config.redisUsername()).contains("app");
      assertThat(config.nodeId()).isNotEqualTo("fixed").matches("[0-9a-f]{12}");
      assertThat(config.meterRegistry()).isEmpty();
      assertThat(config.codec()).isEmpty();
    }

    @Test
    void buildChecksTheRulesBetweenOptions() {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.builder().degradedL1Ttl(Duration.ofMinutes(6)).build())
          .withMessage("degradedL1Ttl was 6m but must not be greater than l1MaximumAge (5m)");
      assertThatIllegalArgumentException()
          .isThrownBy(
              () ->
                  TierstateConfig.builder()
                      .redisDatabase(1)
                      .redisUrl("rediss-cluster://n1:7000")
                      .build())
          .withMessage(
              "redisDatabase was 1 but must be 0 for a Redis Cluster (clusters only have database"
                  + " 0)");
      assertThatIllegalArgumentException()
          .isThrownBy(() -> TierstateConfig.builder().redisUsername("app").build())
          .withMessage(
              "redisUsername requires a password: set redisPassword or put one in redisEndpoint"
                  + " (user:password@host)");
    }

    @Test
    void toBuilderCopiesEveryOptionAndKeepsTheNodeId() {
      TierstateConfig original =
          TierstateConfig.fromEnv(
              Map.of(
                  "REDIS_URL", "redis://:pw@h:1/5",
                  "REDIS_USERNAME", "app",
                  "REDIS_REQUIRED", "yes",
                  "TIERSTATE_NAMESPACE", "x",
                  "TIERSTATE_DEFAULT_TTL", "7s",
                  "TIERSTATE_L1_MAX_SIZE", "12"));

      TierstateConfig copy = original.toBuilder().build();

      assertThat(copy).hasToString(original.toString());
      assertThat(copy.nodeId()).isEqualTo(original.nodeId());
    }

    @Test
    void toBuilderKeepsUrlCredentialsTiedToTheUrl() {
      TierstateConfig original =
          TierstateConfig.builder().redisUrl("redis://app:pw@h/3").redisDatabase(4).build();

      TierstateConfig moved = original.toBuilder().redisUrl("redis://other:pw2@h2/1").build();

      assertThat(moved.redisUsername()).contains("other");
      assertThat(moved.redisPassword()).contains("pw2");
      assertThat(moved.redisDatabase()).isEqualTo(4); // set explicitly, so kept
    }

    @Test
    void builderCanBeReusedAndConfigsDoNotChangeAfterwards() {
      TierstateConfig.Builder builder = TierstateConfig.builder().nodeId("a");
      TierstateConfig first = builder.build();
      builder.namespace("changed");

      assertThat(first.namespace()).isEqualTo("ts");
      assertThat(builder.build().namespace()).isEqualTo("changed");
    }
  }

  static Stream<Arguments> invalidSetterCalls() {
    String identifier = "1 to 64 characters from A-Z a-z 0-9 _ . -";
    return Stream.of(
        setter(
            "redisUrl is not a valid Redis URL: 'tcp://h' (expected redis://, rediss://,"
                + " redis-sentinel://, rediss-sentinel://, redis-cluster:// or rediss-cluster://)",
            b -> b.redisUrl("tcp://h")),
        setter("redisUsername must not be empty", b -> b.redisUsername("")),
        setter("redisPassword must not be empty", b -> b.redisPassword("")),
        setter("redisDatabase must be from 0 to 15, but was 16", b -> b.redisDatabase(16)),
        setter("redisDatabase must be from 0 to 15, but was -1", b -> b.redisDatabase(-1)),
        setter(
            "directReadConnections must be from 0 to 1024, but was 1025",
            b -> b.directReadConnections(1025)),
        setter(
            "commandTimeout must be at least 1ms, but was PT0S",
            b -> b.commandTimeout(Duration.ZERO)),
        setter(
            "connectTimeout must be at least 1ms, but was PT-1S",
            b -> b.connectTimeout(Duration.ofSeconds(-1))),
        setter("namespace must be " + identifier + ", but was 'a:b'", b -> b.namespace("a:b")),
        setter("namespace must be " + identifier + ", but was ''", b -> b.namespace("")),
        setter("l1MaximumSize must be >= 0, but was -1", b -> b.l1MaximumSize(-1)),
        setter(
            "l1MaximumAge must be at least 1ms, but was PT0.0000001S",
            b -> b.l1MaximumAge(Duration.ofNanos(100))),
        setter(
            "degradedL1Ttl must be at least 1ms, but was PT0S",
            b -> b.degradedL1Ttl(Duration.ZERO)),
        setter(
            "defaultTtl must be at least 1ms, but was PT-5M",
            b -> b.defaultTtl(Duration.ofMinutes(-5))),
        setter("maxValueBytes must be from 1 to 536870912, but was 0", b -> b.maxValueBytes(0)),
        setter(
            "maxValueBytes must be from 1 to 536870912, but was 536870913",
            b -> b.maxValueBytes((512 << 20) + 1)),
        setter("compressionThreshold must be >= 0, but was -1", b -> b.compressionThreshold(-1)),
        setter(
            "loadLeaseTtl must be at least 1ms, but was PT0S", b -> b.loadLeaseTtl(Duration.ZERO)),
        setter(
            "invalidationLogMaxLength must be >= 1000, but was 999",
            b -> b.invalidationLogMaxLength(999)),
        setter("nodeId must be " + identifier + ", but was 'web 1'", b -> b.nodeId("web 1")),
        setter(
            "breakerFailureThreshold must be >= 1, but was 0", b -> b.breakerFailureThreshold(0)),
        setter(
            "breakerOpenDuration must be at least 1ms, but was PT0S",
            b -> b.breakerOpenDuration(Duration.ZERO)),
        setter("hotKeySampling must be from 0 to 1048576, but was -1", b -> b.hotKeySampling(-1)));
  }

  private static Arguments setter(String message, Consumer<TierstateConfig.Builder> call) {
    return Arguments.of(message, call);
  }

  @Nested
  class Printing {
    @Test
    void toStringListsEveryOptionAndMasksPasswords() {
      TierstateConfig config =
          TierstateConfig.fromEnv(
              Map.of(
                  "REDIS_URL", "redis://app:urlSecret99@h:6380/2",
                  "REDIS_PASSWORD", "envSecret42",
                  "TIERSTATE_NODE_ID", "n1"));

      assertThat(config.toString())
          .doesNotContain("urlSecret99", "envSecret42")
          .isEqualTo(
              "TierstateConfig{redisEndpoint=redis://app:****@h:6380/2, redisUsername=app,"
                  + " redisPassword=****, redisDatabase=2, redisRequired=false,"
                  + " redisTlsCaFile=default, redisTlsClientCertificate=none, commandTimeout=1s, connectTimeout=2s, namespace=ts, l1MaximumSize=10000,"
                  + " l1MaximumAge=5m, degradedL1Ttl=5s, defaultTtl=5m, maxValueBytes=1048576,"
                  + " compressionThreshold=1024, loadLeaseTtl=10s, invalidationLogMaxLength=100000,"
                  + " nodeId=n1, breakerFailureThreshold=3, breakerOpenDuration=1s,"
                  + " directReadConnections=8, nodeHeartbeat=5s, hotKeySampling=256,"
                  + " meterRegistry=default, codec=default}");
    }

    @Test
    void noPasswordPrintsNone() {
      assertThat(TierstateConfig.defaults().toString()).contains("redisPassword=none");
    }

    @ParameterizedTest
    @CsvSource({"PT0.5S, 500ms", "PT90S, 90s", "PT2H, 2h", "PT48H, 2d", "PT0.0005S, PT0.0005S"})
    void durationsArePrintedAsWritten(Duration duration, String printed) {
      assertThat(TierstateConfig.format(duration)).isEqualTo(printed);
    }
  }

  @Property
  void passwordsNeverAppearInToString(
      @ForAll @AlphaChars @NumericChars @StringLength(min = 12, max = 40) String password) {
    TierstateConfig fromUrl =
        TierstateConfig.fromEnv(Map.of("REDIS_URL", "redis://app:" + password + "@h"));
    TierstateConfig fromVariable = TierstateConfig.fromEnv(Map.of("REDIS_PASSWORD", password));

    assertThat(fromUrl.redisPassword()).contains(password);
    assertThat(fromUrl.toString()).doesNotContain(password);
    assertThat(fromVariable.toString()).doesNotContain(password);
  }

  @Property
  void namespacesOfSafeCharactersAreAccepted(@ForAll("safeNames") String namespace) {
    assertThat(TierstateConfig.fromEnv(Map.of("TIERSTATE_NAMESPACE", namespace)).namespace())
        .isEqualTo(namespace);
  }

  @Property
  void namespacesWithAKeySyntaxCharacterAreRejected(
      @ForAll("safeNames") String name, @ForAll("keySyntax") Character bad) {
    String namespace = name.substring(0, Math.min(name.length(), 63)) + bad;
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TierstateConfig.builder().namespace(namespace))
        .withMessageStartingWith("namespace must be 1 to 64 characters");
  }

  @Provide
  Arbitrary<String> safeNames() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('A', 'Z')
        .withCharRange('0', '9')
        .withChars('_', '.', '-')
        .ofMinLength(1)
        .ofMaxLength(64);
  }

  @Provide
  Arbitrary<Character> keySyntax() {
    return Arbitraries.of(':', '{', '}', '*', '?', '[', ']', ' ', '/', '\n');
  }

  /** A codec that is never called; the configuration only stores it. */
  private static final class NoCodec implements Codec {
    @Override
    public byte id() {
      return 99;
    }

    @Override
    public byte[] encode(Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> T decode(byte[] bytes, TypeRef<T> type) {
      throw new UnsupportedOperationException();
    }
  }
}
