package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTests {

  @Test
  void defaults() {
    ServerConfig config = ServerConfig.fromEnv(Map.of());
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().cookieSecure()).isFalse();
    assertThat(config.database().jdbcUrl()).isNull();
    assertThat(config.auth().jwtSecretGenerated()).isTrue();
    assertThat(config.auth().accessTokenTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.auth().refreshTokenTtl()).isEqualTo(Duration.ofDays(7));
    assertThat(config.auth().loginLimitPerEmail()).isEqualTo(5);
    assertThat(config.auth().loginLimitPerIp()).isEqualTo(20);
    assertThat(config.rateLimits().apiLimit()).isEqualTo(100);
    assertThat(config.demo()).isFalse();
    assertThat(config.cdc()).isEqualTo(ServerConfig.Cdc.AUTO);
    assertThat(ServerConfig.fromEnv(Map.of()).auth().jwtSecret()).isNotEqualTo(config.auth().jwtSecret());
  }

  @Test
  void readsEveryVariable() {
    ServerConfig config = ServerConfig.fromEnv(Map.ofEntries(
        Map.entry("PORT", "9090"), Map.entry("COOKIE_SECURE", "true"),
        Map.entry("ALLOWED_ORIGINS", "https://app.example.com/, http://localhost:3000"),
        Map.entry("JWT_SECRET", "x".repeat(32)), Map.entry("TIERSTATE_DEMO", "yes"),
        Map.entry("ACCESS_TOKEN_TTL", "5m"), Map.entry("REFRESH_TOKEN_TTL", "P1D"),
        Map.entry("API_RATE_LIMIT", "7"), Map.entry("API_RATE_WINDOW", "30s")));
    assertThat(config.http().port()).isEqualTo(9090);
    assertThat(config.http().cookieSecure()).isTrue();
    assertThat(config.http().allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000");
    assertThat(config.auth().jwtSecretGenerated()).isFalse();
    assertThat(config.auth().accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.auth().refreshTokenTtl()).isEqualTo(Duration.ofDays(1));
    assertThat(config.rateLimits().apiWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.demo()).isTrue();
    assertThat(config.auth().toString()).doesNotContain("xxxx");
  }

  @Test
  void acceptsLibpqStyleDatabaseUrls() {
    ServerConfig.Database db = ServerConfig.fromEnv(
        Map.of("DATABASE_URL", "postgres://app:s%40cret@db.internal:6543/tierstate?sslmode=require")).database();
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/tierstate?sslmode=require");
    assertThat(db.user()).isEqualTo("app");
    assertThat(db.password()).isEqualTo("s@cret");
    assertThat(db.toString()).doesNotContain("s@cret");

    ServerConfig.Database jdbc = ServerConfig.fromEnv(
        Map.of("DATABASE_URL", "jdbc:postgresql://localhost/app", "DATABASE_USER", "u")).database();
    assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/app");
    assertThat(jdbc.user()).isEqualTo("u");
  }

  @Test
  void invalidValuesNameTheVariable() {
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("PORT", "http")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("PORT must be").hasMessageContaining("'http'");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("COOKIE_SECURE", "sometimes")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("COOKIE_SECURE must be true or false");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("JWT_SECRET", "short")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("JWT_SECRET must be at least 32 bytes");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DATABASE_URL", "mysql://x/y")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("DATABASE_URL must start with");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("DATABASE_URL", "postgres://u:topsecret@/")))
        .isInstanceOf(ConfigException.class).hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("ALLOWED_ORIGINS", "*")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("ALLOWED_ORIGINS must be");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("API_RATE_WINDOW", "soon")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("API_RATE_WINDOW must be a positive duration");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("ACCESS_TOKEN_TTL", "8d")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("REFRESH_TOKEN_TTL");
  }

  @Test
  void theAuditRateIsModestByDefaultZeroTurnsItOffAndABadOneIsNamed() {
    assertThat(ServerConfig.fromEnv(Map.of()).auditRate()).isEqualTo(5);
    assertThat(ServerConfig.fromEnv(Map.of("SERVER_AUDIT_RATE", "0")).auditRate()).isZero();
    assertThat(ServerConfig.fromEnv(Map.of("SERVER_AUDIT_RATE", "50")).auditRate()).isEqualTo(50);
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("SERVER_AUDIT_RATE", "fast")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SERVER_AUDIT_RATE");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("SERVER_AUDIT_RATE", "5000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SERVER_AUDIT_RATE");
  }

  @Test
  void serverCdcIsAutoOnOrOffAndAnythingElseIsNamedInTheError() {
    assertThat(ServerConfig.fromEnv(Map.of("SERVER_CDC", "on")).cdc()).isEqualTo(ServerConfig.Cdc.ON);
    assertThat(ServerConfig.fromEnv(Map.of("SERVER_CDC", "OFF")).cdc()).isEqualTo(ServerConfig.Cdc.OFF);
    assertThat(ServerConfig.fromEnv(Map.of("SERVER_CDC", "auto")).cdc()).isEqualTo(ServerConfig.Cdc.AUTO);
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("SERVER_CDC", "sometimes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SERVER_CDC must be auto, on or off");
  }

  @Test
  void serverCdcSlotNamesTheRegionsSlotAndABadNameIsRefusedNamingTheVariable() {
    assertThat(ServerConfig.fromEnv(Map.of()).cdcSlot()).isNull();
    assertThat(ServerConfig.fromEnv(Map.of("SERVER_CDC_SLOT", "tierstate_eu")).cdcSlot()).isEqualTo("tierstate_eu");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("SERVER_CDC_SLOT", "tierstate-EU")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SERVER_CDC_SLOT: replication slot name must be 1 to 63 characters of a-z, 0-9 and _")
        .hasMessageContaining("'tierstate-EU' contains '-' at position 10");
    assertThatThrownBy(() -> ServerConfig.fromEnv(Map.of("SERVER_CDC_SLOT", "s".repeat(64))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("has 64 characters");
  }
}
