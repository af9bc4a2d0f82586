package io.tierstate.server.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.keys.CacheKeys;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reference data: localized, cached for 24 hours per locale, with ETags; bad locales are 400. */
class ReferenceDataIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();
  private static ApiClient anyone;

  @BeforeAll
  static void start() {
    anyone = stack.client();
  }

  private static String name(JsonNode items, String field, String value, String nameField) {
    for (JsonNode item : items) {
      if (item.get(field).asText().equals(value)) {
        return item.get(nameField).asText();
      }
    }
    return null;
  }

  @Test
  void countriesAreNamedInTheLocaleAndSortedByName() {
    JsonNode fr = anyone.get("/api/v1/reference/countries?locale=fr").json();
    assertThat(fr.get("locale").asText()).isEqualTo("fr");
    assertThat(name(fr.get("items"), "code", "DE", "name")).isEqualTo("Allemagne");
    JsonNode de = anyone.get("/api/v1/reference/countries?locale=de").json();
    assertThat(name(de.get("items"), "code", "DE", "name")).isEqualTo("Deutschland");
    JsonNode en = anyone.get("/api/v1/reference/countries").json();
    assertThat(en.get("locale").asText()).isEqualTo("en");
    assertThat(en.get("items").size()).isGreaterThan(240);
    assertThat(en.get("items").get(0).get("name").asText()).isEqualTo("Afghanistan");
  }

  @Test
  void timeZonesAndCurrencies() {
    JsonNode zones = anyone.get("/api/v1/reference/timezones?locale=en").json().get("items");
    assertThat(name(zones, "id", "Europe/Paris", "standardOffset")).isEqualTo("+01:00");
    assertThat(name(zones, "id", "UTC", "standardOffset")).isEqualTo("+00:00");
    JsonNode currencies = anyone.get("/api/v1/reference/currencies?locale=de-DE").json();
    assertThat(currencies.get("locale").asText()).isEqualTo("de-DE");
    assertThat(name(currencies.get("items"), "code", "EUR", "symbol")).isEqualTo("€");
    assertThat(name(currencies.get("items"), "code", "USD", "name")).isEqualTo("US-Dollar");
  }

  @Test
  void listsAreCachedPerLocaleForADayAndCarryEtags() {
    Answer first = anyone.get("/api/v1/reference/currencies?locale=fr");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("Cache-Control")).isEqualTo("public, max-age=3600");
    String key = CacheKeys.global("currencies").part("fr").key();
    assertThat(stack.server().tierstate().cache().get(key, ReferenceCatalog.Currencies.class)).isPresent();
    long ttlMillis = Long.parseLong(stack.redis().command("PTTL", "ts:{" + key + "}"));
    assertThat(ttlMillis).isBetween(Duration.ofHours(23).toMillis(), Duration.ofHours(25).toMillis());
    assertThat(anyone.get("/api/v1/reference/currencies?locale=fr", Map.of("If-None-Match", first.header("ETag")))
        .status()).isEqualTo(304);
    Answer german = anyone.get("/api/v1/reference/currencies?locale=de", Map.of("If-None-Match", first.header("ETag")));
    assertThat(german.status()).isEqualTo(200);
    assertThat(german.header("ETag")).isNotEqualTo(first.header("ETag"));
  }

  @Test
  void aBadLocaleIsA400() {
    for (String bad : List.of("xx", "english", "en_US", "en-ZZ", "12", "en-US-x-private", "a".repeat(40), "")) {
      Answer answer = anyone.get("/api/v1/reference/countries?locale=" + bad);
      if (bad.isEmpty()) {
        assertThat(answer.status()).isEqualTo(200); // blank means the default
        continue;
      }
      assertThat(answer.status()).as(bad).isEqualTo(400);
      assertThat(answer.errorCode()).isEqualTo("invalid_parameter");
    }
    assertThat(anyone.get("/api/v1/reference/countries?lang=fr").errorCode()).isEqualTo("unknown_parameter");
  }
}
