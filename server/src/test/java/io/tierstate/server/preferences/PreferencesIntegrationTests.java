package io.tierstate.server.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.EventListener;
import io.tierstate.server.testing.EventListener.Event;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's own preferences on two instances sharing PostgreSQL and Redis: defaults, validation,
 * the cached entry and its TTL, invalidation reaching the other instance and the event stream.
 */
class PreferencesIntegrationTests {
  private static final String PATH = "/api/v1/me/preferences";
  private static final String PASSWORD = "correct-horse-battery";

  @RegisterExtension
  static final TestStack stack = TestStack.withServers(2);
  private static TierstateServer a;
  private static TierstateServer b;
  private static ApiClient admin;

  @BeforeAll
  static void start() {
    a = stack.server(0);
    b = stack.server(1);
    admin = TestStack.signedIn(a, "admin@acme.test");
  }

  /** A new user of acme signed in on A, so that each test starts from the defaults. */
  private static ApiClient newUser() {
    String email = "prefs" + UUID.randomUUID().toString().substring(0, 8) + "@acme.test";
    Answer created = admin.post("/api/v1/tenants/" + admin.tenantId() + "/users",
        Map.of("email", email, "displayName", "Prefs Pia", "password", PASSWORD));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    ApiClient user = TestStack.client(a);
    user.login(email, PASSWORD);
    return user;
  }

  private static String key(ApiClient user) {
    return "tenant:" + user.tenantId() + ":user:" + user.userId() + ":intl-prefs";
  }

  @Test
  void aNewUserHasTheDefaultsAsVersionOne() {
    ApiClient user = newUser();
    Answer answer = user.get(PATH);
    assertThat(answer.status()).isEqualTo(200);
    List<String> fields = new ArrayList<>();
    answer.json().fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("locale", "timeZone", "updatedAt", "version");
    assertThat(answer.json().get("locale").asText()).isEqualTo("en");
    assertThat(answer.json().get("timeZone").asText()).isEqualTo("UTC");
    assertThat(answer.json().get("version").asLong()).isEqualTo(1);
    assertThat(Instant.parse(answer.json().get("updatedAt").asText())).isBefore(Instant.now().plusSeconds(1));
    assertThat(answer.header("Cache-Control")).isEqualTo("private, no-cache");
    assertThat(answer.header("ETag")).matches("\"[A-Za-z0-9_-]{22}\"");
  }

  @Test
  void aChangeIsStoredCanonicalAndVersioned() {
    ApiClient user = newUser();
    Answer changed = user.patch(PATH, Map.of("locale", "pt-br", "timeZone", "America/Sao_Paulo"));
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.json().get("locale").asText()).isEqualTo("pt-BR");
    assertThat(changed.json().get("timeZone").asText()).isEqualTo("America/Sao_Paulo");
    assertThat(changed.json().get("version").asLong()).isEqualTo(2);
    assertThat(changed.header("ETag")).isNotBlank();

    Answer onlyZone = user.patch(PATH, Map.of("timeZone", "Europe/Paris"));
    assertThat(onlyZone.json().get("locale").asText()).isEqualTo("pt-BR");
    assertThat(onlyZone.json().get("timeZone").asText()).isEqualTo("Europe/Paris");
    assertThat(onlyZone.json().get("version").asLong()).isEqualTo(3);
    assertThat(user.get(PATH).json()).isEqualTo(onlyZone.json());
    assertThat(a.database().queryOne("SELECT locale || ' ' || time_zone FROM user_preferences WHERE user_id = ?",
        row -> row.getString(1), user.userId())).hasValue("pt-BR Europe/Paris");
    // Each user has their own: the admin's are untouched.
    assertThat(admin.get(PATH).json().get("timeZone").asText()).isEqualTo("UTC");
  }

  @Test
  void invalidValuesAre400NamingTheFieldAndChangeNothing() {
    ApiClient user = newUser();
    JsonNode before = user.get(PATH).json();
    for (String locale : List.of("xx", "english", "en_US", "en-ZZ", "en-US-x-private", "", "a".repeat(40))) {
      Answer answer = user.patch(PATH, Map.of("locale", locale));
      assertThat(answer.status()).as(locale).isEqualTo(400);
      assertThat(answer.errorCode()).as(locale).isEqualTo("invalid_field");
      assertThat(answer.json().at("/error/message").asText()).as(locale).startsWith("'locale'");
    }
    for (String zone : List.of("Mars/Olympus_Mons", "+01:00", "utc", "Europe/", "", "Europe/Paris/Extra")) {
      Answer answer = user.patch(PATH, Map.of("locale", "fr", "timeZone", zone));
      assertThat(answer.status()).as(zone).isEqualTo(400);
      assertThat(answer.errorCode()).as(zone).isEqualTo("invalid_field");
      assertThat(answer.json().at("/error/message").asText()).as(zone).startsWith("'timeZone'");
    }
    assertThat(user.patch(PATH, "{}").errorCode()).isEqualTo("invalid_field");
    assertThat(user.patch(PATH, Map.of("locale", "fr", "theme", "dark")).errorCode()).isEqualTo("unknown_field");
    assertThat(user.patch(PATH, Map.of("timeZone", List.of("UTC"))).errorCode()).isEqualTo("invalid_field");
    assertThat(user.patch(PATH, "{\"locale\":").errorCode()).isEqualTo("malformed_json");
    assertThat(user.get(PATH + "?locale=fr").errorCode()).isEqualTo("unknown_parameter");
    assertThat(user.get(PATH).json()).isEqualTo(before);
    assertThat(stack.client().get(PATH).errorCode()).isEqualTo("not_authenticated");
  }

  @Test
  void theEntryIsCachedForThirtyMinutesUnderTheUsersKeyUntilAChangeInvalidatesIt() {
    ApiClient user = newUser();
    assertThat(user.get(PATH).status()).isEqualTo(200);
    String redisKey = "ts:{" + key(user) + "}";
    long ttl = Long.parseLong(stack.redis().command("PTTL", redisKey));
    assertThat(ttl).isBetween(Duration.ofMinutes(29).toMillis(), Duration.ofMinutes(30).toMillis());

    // Behind the API's back: the cache does not know, so reads keep answering from it.
    a.database().update("INSERT INTO user_preferences (user_id, locale, time_zone) VALUES (?, 'de', 'Europe/Berlin')",
        user.userId());
    assertThat(user.get(PATH).json().get("locale").asText()).isEqualTo("en");

    // A change through the API commits, then drops the key (from Redis too) on every node.
    Answer changed = user.patch(PATH, Map.of("timeZone", "Asia/Tokyo"));
    assertThat(changed.json().get("locale").asText()).isEqualTo("de");
    assertThat(stack.redis().command("EXISTS", redisKey)).isEqualTo("0");
    assertThat(user.get(PATH).json().get("timeZone").asText()).isEqualTo("Asia/Tokyo");
    assertThat(stack.redis().command("EXISTS", redisKey)).isEqualTo("1");
  }

  @Test
  void aChangeOnAIsWhatBAnswersNextAndIsAnnouncedToTheTenantsStreams() {
    ApiClient user = newUser();
    ApiClient onB = user.on(b.baseUrl());
    Answer cachedOnB = onB.get(PATH);
    assertThat(cachedOnB.json().get("timeZone").asText()).isEqualTo("UTC");
    ApiClient bobOnB = TestStack.signedIn(b, "bob@globex.test");
    try (EventListener acmeStream = admin.on(b.baseUrl()).events(); EventListener globexStream = bobOnB.events()) {
      Answer changed = user.patch(PATH, Map.of("timeZone", "Pacific/Auckland"));
      assertThat(changed.status()).isEqualTo(200);

      Answer onBNow = onB.get(PATH);
      assertThat(onBNow.json().get("timeZone").asText()).isEqualTo("Pacific/Auckland");
      assertThat(onB.get(PATH, Map.of("If-None-Match", cachedOnB.header("ETag"))).status()).isEqualTo(200);
      assertThat(onB.get(PATH, Map.of("If-None-Match", onBNow.header("ETag"))).status()).isEqualTo(304);

      Event event = acmeStream.await(e -> e.name().equals("invalidate")
          && user.userId().toString().equals(e.data().path("id").asText()), Duration.ofSeconds(10));
      assertThat(event).as("events: %s", acmeStream.received()).isNotNull();
      assertThat(event.data().get("entity").asText()).isEqualTo("user");
      // Entity, id and tenant say what to refetch; the cache key itself is not sent (issue 14).
      assertThat(event.data().get("tenantId").asText()).isEqualTo(user.tenantId().toString());
      assertThat(event.data().has("keys")).as(event.data().toString()).isFalse();
      assertThat(event.data().get("origin").asText()).isEqualTo(a.tierstate().nodeId());
      assertThat(globexStream.received()).noneMatch(e -> e.data().toString().contains(user.userId().toString()));
    }
  }

  @Test
  void ifMatchRefusesAStaleChange() {
    ApiClient user = newUser();
    String etag = user.get(PATH).header("ETag");
    assertThat(user.patch(PATH, Map.of("locale", "fr"), Map.of("If-Match", etag)).status()).isEqualTo(200);
    Answer stale = user.patch(PATH, Map.of("locale", "de"), Map.of("If-Match", etag));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.errorCode()).isEqualTo("precondition_failed");
    assertThat(user.get(PATH).json().get("locale").asText()).isEqualTo("fr");
  }
}
