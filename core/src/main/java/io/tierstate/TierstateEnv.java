package io.tierstate;

import static io.tierstate.TierstateConfig.IDENTIFIER;
import static io.tierstate.TierstateConfig.IDENTIFIER_RULE;
import static io.tierstate.TierstateConfig.MAX_DATABASE;
import static io.tierstate.TierstateConfig.MAX_DIRECT_READ_CONNECTIONS;
import static io.tierstate.TierstateConfig.MAX_HOT_KEY_SAMPLING;
import static io.tierstate.TierstateConfig.MAX_VALUE_BYTES_LIMIT;
import static io.tierstate.TierstateConfig.MIN_DURATION;
import static io.tierstate.TierstateConfig.MIN_INVALIDATION_LOG_MAX_LENGTH;
import static io.tierstate.TierstateConfig.range;

import io.tierstate.TierstateConfig.Source;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@link TierstateConfig#fromEnv}: reads the environment variables into a builder, checking each
 * with the builder's rules and naming the variable in errors. Each option's two names (builder
 * method, variable) are in {@link Option}; adding an option means a field, accessor and builder
 * method in {@link TierstateConfig}, and an {@link Option} and a line of {@link #read} here.
 */
final class TierstateEnv {
  private static final Pattern SHORT_DURATION =
      Pattern.compile("([0-9]{1,18})(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private TierstateEnv() {}

  static TierstateConfig read(Map<String, String> env) {
    TierstateConfig.Builder b = TierstateConfig.builder();
    EnvReader in = new EnvReader(env);
    in.text(Option.REDIS_URL, v -> b.redisEndpoint = RedisEndpoint.parse(v, Option.REDIS_URL.env));
    in.secret(Option.REDIS_USERNAME, v -> b.redisUsername = v);
    in.secret(Option.REDIS_PASSWORD, v -> b.redisPassword = v);
    in.whole(Option.REDIS_DATABASE, 0, MAX_DATABASE, v -> b.redisDatabase = (int) v);
    in.bool(Option.REDIS_REQUIRED, v -> b.redisRequired = v);
    in.text(Option.REDIS_TLS_CA_FILE, v -> b.redisTlsCaFile = Path.of(v));
    in.text(Option.REDIS_TLS_CERT_FILE, v -> b.redisTlsCertFile = Path.of(v));
    in.text(Option.REDIS_TLS_KEY_FILE, v -> b.redisTlsKeyFile = Path.of(v));
    in.duration(Option.COMMAND_TIMEOUT, v -> b.commandTimeout = v);
    in.duration(Option.CONNECT_TIMEOUT, v -> b.connectTimeout = v);
    in.identifier(Option.NAMESPACE, v -> b.namespace = v);
    in.whole(Option.L1_MAXIMUM_SIZE, 0, Long.MAX_VALUE, v -> b.l1MaximumSize = v);
    in.duration(Option.L1_MAXIMUM_AGE, v -> b.l1MaximumAge = v);
    in.duration(Option.DEGRADED_L1_TTL, v -> b.degradedL1Ttl = v);
    in.duration(Option.DEFAULT_TTL, v -> b.defaultTtl = v);
    in.whole(Option.MAX_VALUE_BYTES, 1, MAX_VALUE_BYTES_LIMIT, v -> b.maxValueBytes = (int) v);
    in.whole(
        Option.COMPRESSION_THRESHOLD, 0, Integer.MAX_VALUE, v -> b.compressionThreshold = (int) v);
    in.duration(Option.LOAD_LEASE_TTL, v -> b.loadLeaseTtl = v);
    in.whole(
        Option.INVALIDATION_LOG_MAX_LENGTH,
        MIN_INVALIDATION_LOG_MAX_LENGTH,
        Long.MAX_VALUE,
        v -> b.invalidationLogMaxLength = v);
    in.identifier(Option.NODE_ID, v -> b.nodeId = v);
    in.whole(
        Option.BREAKER_FAILURE_THRESHOLD,
        1,
        Integer.MAX_VALUE,
        v -> b.breakerFailureThreshold = (int) v);
    in.duration(Option.BREAKER_OPEN_DURATION, v -> b.breakerOpenDuration = v);
    in.duration(Option.NODE_HEARTBEAT, v -> b.nodeHeartbeat = v);
    in.whole(
        Option.DIRECT_READ_CONNECTIONS,
        0,
        MAX_DIRECT_READ_CONNECTIONS,
        v -> b.directReadConnections = (int) v);
    in.whole(Option.HOT_KEY_SAMPLING, 0, MAX_HOT_KEY_SAMPLING, v -> b.hotKeySampling = (int) v);
    return b.build(TierstateConfig.Source.ENVIRONMENT);
  }

  /** Each option under its two names: the builder method and the environment variable. */
  enum Option {
    REDIS_URL("redisEndpoint", "REDIS_URL"),
    REDIS_USERNAME("redisUsername", "REDIS_USERNAME"),
    REDIS_PASSWORD("redisPassword", "REDIS_PASSWORD"),
    REDIS_DATABASE("redisDatabase", "REDIS_DB"),
    REDIS_REQUIRED("redisRequired", "REDIS_REQUIRED"),
    REDIS_TLS_CA_FILE("redisTlsCaFile", "REDIS_TLS_CA_FILE"),
    REDIS_TLS_CERT_FILE("redisTlsClientCertificate", "REDIS_TLS_CERT_FILE"),
    REDIS_TLS_KEY_FILE("redisTlsClientCertificate", "REDIS_TLS_KEY_FILE"),
    COMMAND_TIMEOUT("commandTimeout", "TIERSTATE_COMMAND_TIMEOUT"),
    CONNECT_TIMEOUT("connectTimeout", "TIERSTATE_CONNECT_TIMEOUT"),
    NAMESPACE("namespace", "TIERSTATE_NAMESPACE"),
    L1_MAXIMUM_SIZE("l1MaximumSize", "TIERSTATE_L1_MAX_SIZE"),
    L1_MAXIMUM_AGE("l1MaximumAge", "TIERSTATE_L1_MAX_AGE"),
    DEGRADED_L1_TTL("degradedL1Ttl", "TIERSTATE_DEGRADED_L1_TTL"),
    DEFAULT_TTL("defaultTtl", "TIERSTATE_DEFAULT_TTL"),
    MAX_VALUE_BYTES("maxValueBytes", "TIERSTATE_MAX_VALUE_BYTES"),
    COMPRESSION_THRESHOLD("compressionThreshold", "TIERSTATE_COMPRESSION_THRESHOLD"),
    LOAD_LEASE_TTL("loadLeaseTtl", "TIERSTATE_LOAD_LEASE_TTL"),
    INVALIDATION_LOG_MAX_LENGTH(
        "invalidationLogMaxLength", "TIERSTATE_INVALIDATION_LOG_MAX_LENGTH"),
    NODE_ID("nodeId", "TIERSTATE_NODE_ID"),
    BREAKER_FAILURE_THRESHOLD("breakerFailureThreshold", "TIERSTATE_BREAKER_FAILURE_THRESHOLD"),
    BREAKER_OPEN_DURATION("breakerOpenDuration", "TIERSTATE_BREAKER_OPEN_DURATION"),
    DIRECT_READ_CONNECTIONS("directReadConnections", "TIERSTATE_DIRECT_READ_CONNECTIONS"),
    NODE_HEARTBEAT("nodeHeartbeat", "TIERSTATE_NODE_HEARTBEAT"),
    HOT_KEY_SAMPLING("hotKeySampling", "TIERSTATE_HOT_KEY_SAMPLING");

    final String method;
    final String env;

    Option(String method, String env) {
      this.method = method;
      this.env = env;
    }

    String in(Source source) {
      return source == Source.BUILDER ? method : env;
    }
  }

  /**
   * Reads one variable at a time, checks it with the same rules as the builder, and names the
   * variable in errors. Values are trimmed, except credentials, which are taken as they are.
   */
  private static final class EnvReader {
    private final Map<String, String> env;

    EnvReader(Map<String, String> env) {
      this.env = env;
    }

    void text(Option option, Consumer<String> into) {
      String value = env.get(option.env);
      if (value != null && !value.isBlank()) {
        into.accept(value.strip());
      }
    }

    void secret(Option option, Consumer<String> into) {
      String value = env.get(option.env);
      if (value != null && !value.isEmpty()) {
        into.accept(value);
      }
    }

    void whole(Option option, long min, long max, LongConsumer into) {
      text(
          option,
          value -> {
            long number;
            try {
              number = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw invalid(option, "a whole number " + range(min, max), value);
            }
            if (number < min || number > max) {
              throw invalid(option, "a whole number " + range(min, max), value);
            }
            into.accept(number);
          });
    }

    void bool(Option option, Consumer<Boolean> into) {
      text(
          option,
          value -> {
            switch (value.toLowerCase(Locale.ROOT)) {
              case "true", "yes", "1" -> into.accept(true);
              case "false", "no", "0" -> into.accept(false);
              default -> throw invalid(option, "one of true, false, yes, no, 1 or 0", value);
            }
          });
    }

    void duration(Option option, Consumer<Duration> into) {
      text(
          option,
          value -> {
            Duration duration = parseDuration(value);
            if (duration == null) {
              throw invalid(option, "a duration such as 500ms, 30s, 5m or PT5M", value);
            }
            if (duration.compareTo(MIN_DURATION) < 0) {
              throw invalid(option, "at least 1ms", value);
            }
            into.accept(duration);
          });
    }

    void identifier(Option option, Consumer<String> into) {
      text(
          option,
          value -> {
            if (!IDENTIFIER.matcher(value).matches()) {
              throw invalid(option, IDENTIFIER_RULE, value);
            }
            into.accept(value);
          });
    }

    private static IllegalArgumentException invalid(Option option, String rule, String value) {
      return new IllegalArgumentException(
          option.env + " must be " + rule + ", but was '" + value + "'");
    }
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601. */
  private static @Nullable Duration parseDuration(String text) {
    Matcher matcher = SHORT_DURATION.matcher(text);
    try {
      if (matcher.matches()) {
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      }
      return Duration.parse(text);
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }
}
