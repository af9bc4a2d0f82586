package io.tierstate.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.server.ConfigException;
import io.tierstate.server.http.JsonBodies;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepresentationsTests {
  private final Representations representations = new Representations(JsonBodies.newMapper());

  @Test
  void equalValuesHaveEqualStrongEtagsAndDifferentValuesDifferentOnes() {
    String etag = representations.etagOf(Map.of("a", 1));
    assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");
    assertThat(representations.etagOf(Map.of("a", 1))).isEqualTo(etag);
    assertThat(representations.etagOf(Map.of("a", 2))).isNotEqualTo(etag);
  }

  @Test
  void conditionalHeadersMatchListsWildcardsAndWeakForms() {
    assertThat(Representations.matches("\"x\"", "\"x\"")).isTrue();
    assertThat(Representations.matches("\"y\", \"x\"", "\"x\"")).isTrue();
    assertThat(Representations.matches("W/\"x\"", "\"x\"")).isTrue();
    assertThat(Representations.matches("*", "\"x\"")).isTrue();
    assertThat(Representations.matches("\"y\"", "\"x\"")).isFalse();
    assertThat(Representations.matches("x", "\"x\"")).isFalse();
    assertThat(Representations.matches(null, "\"x\"")).isFalse();
    assertThat(Representations.matches(" ", "\"x\"")).isFalse();
  }

  @Test
  void cachingIsOnUnlessServerCacheSaysOff() {
    assertThat(DataCaching.fromEnv(Map.of()).enabled()).isTrue();
    assertThat(DataCaching.fromEnv(Map.of("SERVER_CACHE", "on")).enabled()).isTrue();
    assertThat(DataCaching.fromEnv(Map.of("SERVER_CACHE", "OFF")).enabled()).isFalse();
    assertThatThrownBy(() -> DataCaching.fromEnv(Map.of("SERVER_CACHE", "maybe")))
        .isInstanceOf(ConfigException.class).hasMessage("SERVER_CACHE must be on or off, but was 'maybe'");
  }
}
