package io.tierstate.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.Await;
import io.tierstate.server.testing.EventListener;
import io.tierstate.server.testing.EventListener.Event;
import io.tierstate.server.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The event stream across two instances: changes on A reach B's streams of that tenant, and only those. */
class EventStreamIntegrationTests {
  private static final Duration DELIVERY = Duration.ofSeconds(10);

  @RegisterExtension
  static final TestStack stack = TestStack.withServers(2);
  private static TierstateServer a;
  private static TierstateServer b;
  private static ApiClient acmeAdminOnA;

  @BeforeAll
  static void start() {
    a = stack.server(0);
    b = stack.server(1);
    acmeAdminOnA = TestStack.signedIn(a, "admin@acme.test");
  }

  private static String users(ApiClient client) {
    return "/api/v1/tenants/" + client.tenantId() + "/users";
  }

  @Test
  void aChangeOnAReachesTheTenantsStreamsOnBAndNoOtherTenants() {
    ApiClient aliceOnB = TestStack.signedIn(b, "alice@acme.test");
    ApiClient bobOnB = TestStack.signedIn(b, "bob@globex.test");
    ApiClient bobOnA = bobOnB.on(a.baseUrl());
    try (EventListener acmeStream = aliceOnB.events(); EventListener globexStream = bobOnB.events();
        EventListener globexStreamOnA = bobOnA.events()) {
      Answer created = acmeAdminOnA.post(users(acmeAdminOnA), Map.of("email",
          "sse" + UUID.randomUUID().toString().substring(0, 8) + "@acme.test", "displayName", "Streamed Sue",
          "password", "correct-horse-battery"));
      assertThat(created.status()).isEqualTo(201);
      String id = created.json().get("id").asText();
      String path = users(acmeAdminOnA) + "/" + id;
      assertThat(acmeAdminOnA.patch(path, Map.of("displayName", "Streamed Sam")).status()).isEqualTo(200);

      Event event = acmeStream.await(e -> e.name().equals("invalidate") && id.equals(e.data().path("id").asText())
          && e.data().get("origin").asText().equals(a.tierstate().nodeId()), DELIVERY);
      assertThat(event).as("events on B: %s", acmeStream.received()).isNotNull();
      JsonNode notice = event.data();
      assertThat(notice.get("entity").asText()).isEqualTo("user");
      assertThat(notice.get("tenantId").asText()).isEqualTo(acmeAdminOnA.tenantId().toString());
      // Issue 14: no cache keys (list-page hashes, absent entries someone probed) reach browsers.
      assertThat(notice.has("keys")).as(notice.toString()).isFalse();
      assertThat(notice.toString()).doesNotContain(":list:");
      assertThat(notice.get("tags")).extracting(JsonNode::asText).contains(
          "tenant:" + acmeAdminOnA.tenantId() + ":user:" + id, "tenant:" + acmeAdminOnA.tenantId() + ":users");

      // Globex streams, on either node, heard nothing of acme: a globex change proves they are live.
      ApiClient globexAdmin = TestStack.signedIn(a, "admin@globex.test");
      assertThat(globexAdmin.patch(users(globexAdmin) + "/" + bobOnA.userId(), Map.of("displayName", "Bob Brown"))
          .status()).isEqualTo(200);
      for (EventListener globex : List.of(globexStream, globexStreamOnA)) {
        assertThat(globex.await(e -> e.name().equals("invalidate")
            && bobOnA.userId().toString().equals(e.data().path("id").asText()), DELIVERY)).isNotNull();
        List<String> seen = new ArrayList<>();
        for (Event received : globex.received()) {
          seen.add(received.data().toString());
        }
        assertThat(seen).noneMatch(text -> text.contains(acmeAdminOnA.tenantId().toString()) || text.contains(id));
      }
      // And the acme stream heard nothing of globex.
      assertThat(acmeStream.received()).noneMatch(e -> e.data().toString().contains(globexAdmin.tenantId().toString()));
    }
  }

  @Test
  void aStreamEndsWhenItsUserIsSuspended() {
    Answer created = acmeAdminOnA.post(users(acmeAdminOnA), Map.of("email",
        "ends" + UUID.randomUUID().toString().substring(0, 8) + "@acme.test", "displayName", "Ending Ed",
        "password", "correct-horse-battery"));
    ApiClient ed = TestStack.client(b);
    ed.login(created.json().get("email").asText(), "correct-horse-battery");
    try (EventListener stream = ed.events()) {
      assertThat(acmeAdminOnA.patch(users(acmeAdminOnA) + "/" + ed.userId(), Map.of("status", "suspended")).status())
          .isEqualTo(200);
      Event end = stream.await(e -> e.name().equals("end"), DELIVERY);
      assertThat(end).isNotNull();
      assertThat(end.data().get("reason").asText()).isEqualTo("session_ended");
      assertThat(Await.until(stream::ended, ended -> ended, DELIVERY)).isTrue();
    }
  }

  @Test
  void streamsNeedASignedInUserAndAreLimitedPerUser() {
    Answer anonymous = TestStack.client(b).get("/api/v1/events");
    assertThat(anonymous.status()).isEqualTo(401);

    ApiClient carol = TestStack.signedIn(b, "carol@acme.test");
    List<EventListener> open = new ArrayList<>();
    try {
      for (int i = 0; i < EventsFeature.MAX_STREAMS_PER_USER; i++) {
        open.add(carol.events());
      }
      Answer refused = carol.get("/api/v1/events");
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.errorCode()).isEqualTo("too_many_streams");
    } finally {
      open.forEach(EventListener::close);
    }
    // Closed streams free their slots: the server notices the client left when it next writes to it.
    ApiClient admin = TestStack.signedIn(a, "admin@acme.test");
    int status = Await.until(() -> {
      assertThat(admin.patch(users(admin) + "/" + carol.userId(), Map.of("displayName", "Carol Chen")).status())
          .isEqualTo(200);
      return EventListener.statusOf(carol);
    }, s -> s == 200, DELIVERY);
    assertThat(status).isEqualTo(200);
  }

  @Test
  void aClosedStreamFreesItsSlotWithinTwoSecondsThoughNothingHappens() {
    ApiClient user = TestStack.signedIn(b, "admin@globex.test");
    List<EventListener> open = new ArrayList<>();
    try {
      for (int i = 0; i < EventsFeature.MAX_STREAMS_PER_USER; i++) {
        open.add(user.events());
      }
      assertThat(EventListener.statusOf(user)).isEqualTo(429);
      open.remove(0).close();
      long closed = System.nanoTime();
      // Issue 14: the slot stayed taken until the next heartbeat or event (about 30 s).
      int status = Await.until(() -> EventListener.statusOf(user), s -> s == 200, Duration.ofSeconds(2));
      assertThat(status).as("a new stream %d ms after one closed", (System.nanoTime() - closed) / 1_000_000)
          .isEqualTo(200);
    } finally {
      open.forEach(EventListener::close);
    }
  }

  @Test
  void oneChangeIsOneEventThoughItMakesSeveralInvalidations() throws Exception {
    // A role change invalidates the user's tags and, separately, their access entry.
    ApiClient admin = TestStack.signedIn(a, "admin@acme.test");
    ApiClient watcher = TestStack.signedIn(b, "carol@acme.test");
    Answer created = admin.post(users(admin), Map.of("email", "roles" + UUID.randomUUID().toString().substring(0, 8)
        + "@acme.test", "displayName", "Rolf Roles", "password", "correct-horse-battery"));
    String id = created.json().path("id").asText();
    try (EventListener onB = watcher.events(); EventListener onA = watcher.on(a.baseUrl()).events()) {
      Answer changed = admin.patch(users(admin) + "/" + id, Map.of("roles", List.of("member", "tenant_admin")));
      assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
      for (EventListener stream : List.of(onA, onB)) {
        assertThat(stream.await(e -> e.name().equals("invalidate") && id.equals(e.data().path("id").asText()),
            DELIVERY)).isNotNull();
      }
      Thread.sleep(500); // anything else of this change would have come by now
      for (EventListener stream : List.of(onA, onB)) {
        assertThat(stream.received().stream().filter(e -> e.name().equals("invalidate")
            && id.equals(e.data().path("id").asText())).count()).as("%s", stream.received()).isEqualTo(1);
      }
    }
  }
}
