package io.tierstate.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.RedisUnavailableException;
import io.tierstate.Tierstate;
import io.tierstate.internal.session.SessionIds;
import io.tierstate.metrics.MeterNames;
import io.tierstate.testing.Await;
import io.tierstate.testing.Nodes;
import io.tierstate.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sessions shared by several nodes on one real Redis. */
class SessionIntegrationTests {
  private Nodes nodes;
  private ExecutorService pool;
  private Tierstate a;
  private Tierstate b;

  @BeforeEach
  void start() {
    nodes = Nodes.onSharedRedis();
    pool = Executors.newCachedThreadPool();
    a = nodes.start("a");
    b = nodes.start("b");
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    nodes.close();
  }

  private static NewSession.Builder alice() {
    return NewSession.builder("acme", "alice")
        .roles(Set.of("admin", "billing"))
        .email("alice@example.com")
        .ipAddress("10.0.0.1")
        .userAgent("Firefox/130")
        .deviceId("laptop")
        .attributes(Map.of("theme", "dark"));
  }

  @Test
  void aSessionCreatedOnOneNodeIsReadOnAnother() {
    CreatedSession created = a.sessions().create(alice().build());

    Session read = b.sessions().get(created.id()).orElseThrow();
    assertThat(read.tenantId()).isEqualTo("acme");
    assertThat(read.userId()).isEqualTo("alice");
    assertThat(read.roles()).containsExactlyInAnyOrder("admin", "billing");
    assertThat(read.email()).isEqualTo("alice@example.com");
    assertThat(read.deviceId()).isEqualTo("laptop");
    assertThat(read.attributes()).containsEntry("theme", "dark");
    assertThat(read.createdAt()).isEqualTo(created.session().createdAt());
    assertThat(read.absoluteExpiresAt())
        .isEqualTo(read.createdAt().plus(NewSession.DEFAULT_ABSOLUTE_TIMEOUT));
    assertThat(read.expiresAt()).isEqualTo(read.createdAt().plus(NewSession.DEFAULT_IDLE_TIMEOUT));
    assertThat(created.toString()).doesNotContain(created.id());
  }

  @Test
  void idsCarry256RandomBitsAndAreUrlSafe() {
    CreatedSession one = a.sessions().create(alice().build());
    CreatedSession two = a.sessions().create(alice().build());
    assertThat(one.id()).matches("[A-Za-z0-9_-]{43}\\.[0-9a-f]{32}");
    assertThat(one.id()).isNotEqualTo(two.id());
  }

  @Test
  void twentyConcurrentLoginsOnTwoNodesLeaveExactlyMaxDevicesSessions() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<CreatedSession>> logins = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Tierstate node = i % 2 == 0 ? a : b;
      String device = "device-" + i;
      logins.add(
          pool.submit(
              () -> {
                go.await();
                return node.sessions().create(alice().deviceId(device).maxDevices(5).build());
              }));
    }
    go.countDown();
    List<String> ids = new ArrayList<>();
    for (Future<CreatedSession> login : logins) {
      ids.add(login.get(10, TimeUnit.SECONDS).id());
    }

    assertThat(a.sessions().getUserSessions("acme", "alice")).hasSize(5);
    assertThat(ids.stream().filter(id -> b.sessions().get(id).isPresent())).hasSize(5);
    assertThat(a.sessions().countUserSessions("acme", "alice")).isEqualTo(5);
    assertThat(evicted(a) + evicted(b)).isEqualTo(15);
  }

  private static double evicted(Tierstate node) {
    return node.metrics().registry().get(MeterNames.SESSIONS_EVICTED).counter().count();
  }

  @Test
  void theLeastRecentlyActiveSessionIsEvictedFirst() throws Exception {
    CreatedSession first = a.sessions().create(alice().deviceId("first").maxDevices(2).build());
    CreatedSession second = a.sessions().create(alice().deviceId("second").maxDevices(2).build());
    Thread.sleep(5); // activity is scored in ms: let the touch below come strictly later
    assertThat(a.sessions().touch(first.id())).isTrue();

    CreatedSession third = a.sessions().create(alice().deviceId("third").maxDevices(2).build());

    assertThat(a.sessions().get(second.id())).isEmpty();
    assertThat(a.sessions().get(first.id())).isPresent();
    assertThat(a.sessions().get(third.id())).isPresent();
  }

  @Test
  void loginsWithinOneMillisecondEvictTheOldestFirst() {
    // Back to back, three logins mostly land in the same millisecond of Redis's clock.
    for (int user = 0; user < 30; user++) {
      NewSession login = NewSession.builder("acme", "quick-" + user).maxDevices(2).build();
      String oldest = a.sessions().create(login).id();
      String middle = a.sessions().create(login).id();
      String newest = a.sessions().create(login).id();
      assertThat(a.sessions().get(oldest))
          .as("user %d: the oldest login is evicted", user)
          .isEmpty();
      assertThat(a.sessions().get(middle)).as("user %d: the middle login stays", user).isPresent();
      assertThat(a.sessions().get(newest)).as("user %d: the newest login stays", user).isPresent();
    }
  }

  @Test
  void validationRejectsAChangedIpOrUserAgentOnlyWhenAsked() {
    String id = a.sessions().create(alice().build()).id();
    SessionManager sessions = b.sessions();

    assertThat(sessions.get(id, Validation.of("10.0.0.1", "Firefox/130"))).isPresent();
    assertThat(sessions.get(id, Validation.of("10.9.9.9", null))).isEmpty();
    assertThat(sessions.get(id, Validation.of(null, "curl/8"))).isEmpty();
    assertThat(sessions.get(id, Validation.none())).isPresent();
    assertThat(sessions.get(id)).isPresent();
    assertThat(
            b.metrics()
                .registry()
                .find("tierstate.sessions.validation.failures")
                .tag("reason", "ip")
                .counter()
                .count())
        .isEqualTo(1);

    assertThat(sessions.get(id, Validation.of("10.9.9.9", null).revokingOnMismatch())).isEmpty();
    assertThat(sessions.get(id)).isEmpty();
  }

  @Test
  void aSessionNotTouchedWithinItsIdleTimeoutIsGone() {
    String id = a.sessions().create(alice().idleTimeout(Duration.ofMillis(300)).build()).id();
    assertThat(b.sessions().get(id)).isPresent();
    Await.until("the idle session expires", () -> b.sessions().get(id).isEmpty());
    assertThat(a.sessions().getUserSessions("acme", "alice")).isEmpty();
    assertThat(a.sessions().touch(id)).isFalse();
  }

  @Test
  void touchExtendsIdleExpiryButNeverPastTheAbsoluteTimeout() throws Exception {
    String id =
        a.sessions()
            .create(
                alice()
                    .idleTimeout(Duration.ofMillis(1000))
                    .absoluteTimeout(Duration.ofMillis(2500))
                    .build())
            .id();
    Session before = a.sessions().get(id).orElseThrow();
    long start = System.nanoTime();
    // Touching every 100 ms keeps the session past its idle timeout ...
    while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1600)) {
      assertThat(b.sessions().touch(id)).isTrue();
      Thread.sleep(100);
    }
    Session touched = a.sessions().get(id).orElseThrow();
    assertThat(touched.lastActiveAt()).isAfter(before.lastActiveAt());
    assertThat(touched.expiresAt()).isBeforeOrEqualTo(before.absoluteExpiresAt());
    // ... but not past its absolute timeout, however often it is touched.
    Await.until(
        "the session reaches its absolute timeout",
        () -> {
          b.sessions().touch(id);
          return a.sessions().get(id).isEmpty();
        },
        Duration.ofSeconds(5));
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(4000));
  }

  @Test
  void aSessionIsNotReturnedToAnotherTenant() {
    String id = a.sessions().create(alice().ipAddress("10.0.0.1").build()).id();

    assertThat(b.sessions().get(id, Validation.tenant("acme"))).isPresent();
    assertThat(b.sessions().get(id, Validation.tenant("globex"))).isEmpty();
    // a tenant mismatch never revokes: the session is not the other tenant's to end
    assertThat(
            b.sessions()
                .get(id, Validation.of("10.9.9.9", null).forTenant("globex").revokingOnMismatch()))
        .isEmpty();
    assertThat(a.sessions().get(id)).isPresent();
    assertThatThrownBy(() -> Validation.tenant(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tenantId");
  }

  @Test
  void deleteUserSessionsOnOneNodeEndsThemForEveryNode() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add((i % 2 == 0 ? a : b).sessions().create(alice().deviceId("d" + i).build()).id());
    }
    String bob = a.sessions().create(NewSession.builder("acme", "bob").build()).id();

    assertThat(a.sessions().deleteUserSessions("acme", "alice")).isEqualTo(4);

    for (String id : ids) {
      assertThat(b.sessions().get(id)).isEmpty();
    }
    assertThat(b.sessions().getUserSessions("acme", "alice")).isEmpty();
    assertThat(b.sessions().get(bob)).isPresent();
  }

  @Test
  void deleteEndsOneSession() {
    String id = a.sessions().create(alice().build()).id();
    String other = a.sessions().create(alice().build()).id();
    assertThat(b.sessions().delete(id)).isTrue();
    assertThat(a.sessions().get(id)).isEmpty();
    assertThat(a.sessions().get(other)).isPresent();
    assertThat(a.sessions().delete(id)).isFalse();
  }

  @Test
  void aUserEndsOneOfTheirSessionsByItsHandleAndNobodyElsesSession() {
    String laptop = a.sessions().create(alice().deviceId("laptop").build()).id();
    String phone = a.sessions().create(alice().deviceId("phone").build()).id();
    String bobs = a.sessions().create(NewSession.builder("acme", "bob").build()).id();
    String bobsHandle = a.sessions().handleOf(bobs).orElseThrow();

    List<SessionInfo> listed = b.sessions().getUserSessions("acme", "alice");
    assertThat(listed).extracting(SessionInfo::deviceId).containsExactly("phone", "laptop");
    String phoneHandle = listed.get(0).handle();
    assertThat(phoneHandle)
        .isEqualTo(a.sessions().handleOf(phone).orElseThrow())
        .isNotEqualTo(listed.get(1).handle())
        .matches("[A-Za-z0-9_-]{22}");
    // A handle is not the id, nor any part of it, so it can be shown and sent back safely.
    assertThat(phone).doesNotContain(phoneHandle);
    assertThat(a.sessions().get(phoneHandle)).isEmpty();

    // Another user's handle is not found among alice's sessions, and nothing ends.
    assertThat(a.sessions().deleteUserSession("acme", "alice", bobsHandle)).isFalse();
    assertThat(a.sessions().deleteUserSession("globex", "bob", bobsHandle)).isFalse();
    assertThat(a.sessions().get(bobs)).isPresent();

    assertThat(a.sessions().deleteUserSession("acme", "alice", phoneHandle)).isTrue();
    assertThat(b.sessions().get(phone)).isEmpty();
    assertThat(b.sessions().get(laptop)).isPresent();
    assertThat(b.sessions().getUserSessions("acme", "alice"))
        .extracting(SessionInfo::deviceId)
        .containsExactly("laptop");
    assertThat(a.sessions().deleteUserSession("acme", "alice", phoneHandle)).isFalse();
    assertThat(a.sessions().handleOf("not-a-session")).isEmpty();
    assertThatThrownBy(() -> a.sessions().deleteUserSession("acme", "alice", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handle must not be empty");
    assertThatThrownBy(() -> a.sessions().deleteUserSession("acme", "alice", "x".repeat(23)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("23 characters");
  }

  @Test
  void rotateInvalidatesTheOldIdAndKeepsTheData() {
    CreatedSession created = a.sessions().create(alice().build());

    String fresh = b.sessions().rotate(created.id()).orElseThrow();

    assertThat(fresh).isNotEqualTo(created.id());
    assertThat(a.sessions().get(created.id())).isEmpty();
    Session moved = a.sessions().get(fresh).orElseThrow();
    assertThat(moved).isEqualTo(a.sessions().get(fresh).orElseThrow());
    assertThat(moved.userId()).isEqualTo("alice");
    assertThat(moved.attributes()).isEqualTo(created.session().attributes());
    assertThat(moved.createdAt()).isEqualTo(created.session().createdAt());
    assertThat(a.sessions().getUserSessions("acme", "alice")).hasSize(1);
    assertThat(a.sessions().rotate(created.id())).isEmpty();
  }

  @Test
  void updateChangesAttributesAndRolesButNotExpiry() {
    String id = a.sessions().create(alice().build()).id();
    Session before = a.sessions().get(id).orElseThrow();

    assertThat(b.sessions().update(id, Map.of("lang", "fr"))).isTrue();
    assertThat(b.sessions().update(id, Set.of("viewer"), Map.of())).isTrue();

    Session after = a.sessions().get(id).orElseThrow();
    assertThat(after.attributes()).containsEntry("theme", "dark").containsEntry("lang", "fr");
    assertThat(after.roles()).containsExactly("viewer");
    assertThat(after.expiresAt()).isEqualTo(before.expiresAt());
  }

  @Test
  void redisStoresOnlyHashesOfIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(a.sessions().create(alice().maxDevices(2).build()).id());
    }
    ids.add(a.sessions().rotate(ids.get(2)).orElseThrow());
    a.sessions().touch(ids.get(3));

    String keys = Objects.requireNonNull(nodes.redis().command("KEYS", nodes.namespace() + ":*"));
    assertThat(keys).contains(":sess:");
    StringBuilder dump = new StringBuilder(keys);
    for (String key : keys.split("\n")) {
      String type = nodes.redis().command("TYPE", key);
      String content =
          switch (Objects.requireNonNull(type)) {
            case "hash" -> nodes.redis().command("HGETALL", key);
            case "zset" -> nodes.redis().command("ZRANGE", key, "0", "-1", "WITHSCORES");
            case "string" -> nodes.redis().command("GET", key);
            case "set" -> nodes.redis().command("SMEMBERS", key);
            case "list" -> nodes.redis().command("LRANGE", key, "0", "-1");
            case "stream" -> nodes.redis().command("XRANGE", key, "-", "+");
            default -> "";
          };
      dump.append('\n').append(content);
    }
    for (String id : ids) {
      assertThat(dump.toString()).doesNotContain(id).doesNotContain(id.substring(0, 43));
    }
  }

  @Test
  void statsCountLiveSessionsPerTenantAndInTotal() {
    long totalBefore = a.sessions().stats().liveSessions();
    a.sessions().create(alice().build());
    String second = b.sessions().create(alice().build()).id();
    a.sessions().create(NewSession.builder("globex", "carol").build());
    a.sessions()
        .create(NewSession.builder("globex", "dave").idleTimeout(Duration.ofMillis(200)).build());

    assertThat(a.sessions().countTenantSessions("acme")).isEqualTo(2);
    assertThat(b.sessions().stats().liveSessions()).isEqualTo(totalBefore + 4);
    Await.until(
        "dave's session expires from the count",
        () -> a.sessions().countTenantSessions("globex") == 1);

    b.sessions().delete(second);
    assertThat(a.sessions().countTenantSessions("acme")).isEqualTo(1);
    assertThat(a.sessions().countUserSessions("acme", "alice")).isEqualTo(1);
    assertThat(a.sessions().stats().liveSessions()).isEqualTo(totalBefore + 2);
  }

  @Test
  void unknownOrTamperedIdsAreNotFound() {
    String id = a.sessions().create(alice().build()).id();
    String tampered = (id.charAt(0) == 'A' ? 'B' : 'A') + id.substring(1);
    String otherUser = id.substring(0, 44) + SessionIds.slot("acme", "mallory");
    assertThat(a.sessions().get(tampered)).isEmpty();
    assertThat(a.sessions().get(otherUser)).isEmpty();
    assertThat(a.sessions().get("not-a-session")).isEmpty();
    assertThat(a.sessions().touch("not-a-session")).isFalse();
    assertThat(a.sessions().delete(tampered)).isFalse();
    assertThat(a.sessions().get(id)).isPresent();
  }

  @Test
  void badInputGetsAClearError() {
    SessionManager sessions = a.sessions();
    assertThatThrownBy(() -> sessions.get(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sessionId must not be empty");
    assertThatThrownBy(() -> sessions.get("x".repeat(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("500 characters");
    assertThatThrownBy(() -> sessions.touch(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionId");
    assertThatThrownBy(() -> sessions.delete(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionId");
    assertThatThrownBy(() -> sessions.rotate(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sessionId");
    assertThatThrownBy(() -> alice().idleTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idleTimeout must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> alice().absoluteTimeout(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("absoluteTimeout must be at least 1 ms, was PT-5S");
    assertThatThrownBy(() -> alice().maxDevices(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDevices must be 0 (unlimited) or positive, was -1");
    assertThatThrownBy(() -> alice().userAgent("x".repeat(2000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userAgent")
        .hasMessageContaining("2000 characters");
    assertThatThrownBy(() -> alice().attributes(Map.of("k", "v".repeat(5000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attribute 'k'");
    assertThatThrownBy(() -> alice().roles(Set.of("a,b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("role 'a,b'");
    assertThatThrownBy(() -> NewSession.builder("", "alice").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NewSession.builder("acme", "al:ice").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("al:ice");
    assertThatThrownBy(() -> sessions.getUserSessions("acme", ""))
        .isInstanceOf(IllegalArgumentException.class);
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i < NewSession.MAX_ATTRIBUTES; i++) {
      tooMany.put("k" + i, "v");
    }
    String id = sessions.create(alice().build()).id();
    assertThatThrownBy(() -> sessions.update(id, tooMany))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than 64 attributes");
    assertThat(sessions.get(id).orElseThrow().attributes()).hasSize(1);
  }

  @Test
  void sessionsFailClearlyWhenRedisIsDown() {
    RedisServer server = RedisServer.start();
    try (Nodes own = new Nodes(server)) {
      Tierstate node = own.start("solo");
      String id = node.sessions().create(alice().build()).id();
      own.redis().stop();
      assertThatThrownBy(() -> node.sessions().get(id))
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessageContaining("get session");
      assertThatThrownBy(() -> node.sessions().create(alice().build()))
          .isInstanceOf(RedisUnavailableException.class);
    } finally {
      server.close();
    }
  }
}
