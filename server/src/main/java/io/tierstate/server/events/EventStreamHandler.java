package io.tierstate.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.tierstate.RedisUnavailableException;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.auth.AccessCache;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.auth.UserAccess;
import io.tierstate.session.SessionManager;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events}: holds the request open on its (virtual) thread and writes events as
 * they come (invalidations of one change merged into one event), a heartbeat comment when none
 * came for a while, and ends the stream when the session or the account ends, when the client
 * goes away (noticed within about a second, by a tiny comment written every {@link #PROBE}), or
 * when the server stops. Thread-safe.
 */
final class EventStreamHandler implements Handler {
  private static final Logger log = LoggerFactory.getLogger(EventStreamHandler.class);
  static final String SESSION_ENDED = "session_ended";
  static final String TENANT_SUSPENDED = "tenant_suspended";
  /** How often an idle stream is probed with a two-byte comment, to notice a closed connection. */
  static final Duration PROBE = Duration.ofMillis(500);
  /** How long after an invalidation others are awaited to merge with it. */
  static final Duration COALESCE = Duration.ofMillis(25);

  private final EventHub hub;
  private final SessionManager sessions;
  private final AccessCache access;
  private final ObjectMapper json;
  private final Duration heartbeat;

  EventStreamHandler(EventHub hub, SessionManager sessions, AccessCache access, ObjectMapper json, Duration heartbeat) {
    this.hub = hub;
    this.sessions = sessions;
    this.access = access;
    this.json = json;
    this.heartbeat = heartbeat;
  }

  @Override
  public void handle(Context ctx) throws Exception {
    Principal me = AuthContext.principal(ctx);
    QueryParameters.of(ctx, Set.of());
    EventStream stream = hub.open(me.tenantId(), me.userId(), me.sessionId(), me.platformAdmin());
    try {
      HttpServletResponse response = ctx.res();
      response.setStatus(200);
      response.setContentType("text/event-stream;charset=utf-8");
      response.setHeader("Cache-Control", "no-store");
      response.setHeader("X-Accel-Buffering", "no"); // proxies must not buffer the stream
      OutputStream out = response.getOutputStream();
      Map<String, Object> ready = new LinkedHashMap<>();
      ready.put("userId", me.userId());
      ready.put("tenantId", me.tenantId());
      ready.put("heartbeatSeconds", heartbeat.toSeconds());
      // Registered before "ready" is sent: whatever changes after the client sees it is announced.
      write(out, "retry: 3000\nevent: ready\ndata: " + json(ready) + "\n\n");
      log.atInfo().addKeyValue("userId", me.userId()).addKeyValue("tenantId", me.tenantId()).log("event stream opened");
      long sequence = 0;
      long idleMillis = 0;
      while (true) {
        EventStream.Item item = stream.next(PROBE.toMillis());
        if (item == null) {
          // A closed connection is only noticed on a write: a two-byte comment each tick frees a
          // disconnected client's slot within about two ticks (it held it until the next heartbeat).
          write(out, ":\n");
          idleMillis += PROBE.toMillis();
          if (idleMillis >= heartbeat.toMillis()) {
            idleMillis = 0;
            write(out, ": heartbeat\n\n");
            String reason = endReason(stream);
            if (reason != null) {
              end(out, reason);
              break;
            }
          }
          continue;
        }
        idleMillis = 0;
        if (item instanceof EventStream.Invalidate first) {
          // One change often comes as several invalidations (a user's tags, then their access
          // key): what arrives within a moment of the first is merged by entity and id.
          Map<String, Notice> batch = new LinkedHashMap<>();
          batch.put(first.notice().identity(), first.notice());
          long until = System.nanoTime() + COALESCE.toNanos();
          EventStream.Item next = null;
          while (next == null) {
            long left = until - System.nanoTime();
            EventStream.Item more = left <= 0 ? null : stream.next(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            if (more == null) {
              break;
            }
            if (more instanceof EventStream.Invalidate another) {
              batch.merge(another.notice().identity(), another.notice(), Notice::merge);
            } else {
              next = more;
            }
          }
          for (Notice notice : batch.values()) {
            sequence++;
            write(out, "id: " + sequence + "\nevent: invalidate\ndata: " + json(notice) + "\n\n");
          }
          if (next == null) {
            if (recheckEnded(stream, out)) {
              break;
            }
            continue;
          }
          item = next;
        }
        switch (item) {
          case EventStream.Invalidate invalidate -> {
            sequence++;
            write(out, "id: " + sequence + "\nevent: invalidate\ndata: " + json(invalidate.notice()) + "\n\n");
          }
          case EventStream.Resync resync -> {
            sequence++;
            write(out, "id: " + sequence + "\nevent: resync\ndata: " + json(Map.of("reason", resync.reason()))
                + "\n\n");
          }
          case EventStream.Shutdown shutdown -> {
            write(out, "event: end\ndata: {\"reason\":\"server_stopping\"}\n\n");
            return;
          }
        }
        if (recheckEnded(stream, out)) {
          break;
        }
      }
    } catch (IOException e) {
      log.atDebug().addKeyValue("userId", me.userId()).log("event stream client went away");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      hub.close(stream);
      log.atInfo().addKeyValue("userId", me.userId()).log("event stream closed");
    }
  }

  /**
   * Why the stream must end, or null while the tenant is active, the session live and the account
   * active: {@code tenant_suspended} (checked first: a suspension also ends the sessions) or {@code
   * session_ended}. What cannot be checked now (Redis or PostgreSQL unreachable) keeps the stream;
   * the next heartbeat checks again. Also keeps the stream's platform administrator flag current.
   */
  private @Nullable String endReason(EventStream stream) {
    UserAccess current;
    try {
      current = access.get(stream.tenantId(), stream.userId());
    } catch (RuntimeException e) {
      return null; // PostgreSQL unreachable: keep the stream, check again later
    }
    if (current == null) {
      return SESSION_ENDED;
    }
    if (current.tenantSuspended()) {
      return TENANT_SUSPENDED;
    }
    hub.platformAdmin(stream, current.permissions().contains(Principal.PLATFORM_ADMIN));
    try {
      if (sessions.get(stream.sessionId()).isEmpty()) {
        return SESSION_ENDED;
      }
    } catch (RedisUnavailableException | IllegalArgumentException e) {
      // Cannot check now; the next heartbeat tries again.
    }
    return current.active() ? null : SESSION_ENDED;
  }

  /** Ends the stream if its user's own account or tenant changed so that it must end; true if it ended. */
  private boolean recheckEnded(EventStream stream, OutputStream out) throws IOException {
    if (stream.takeRecheck()) {
      String reason = endReason(stream);
      if (reason != null) {
        end(out, reason);
        return true;
      }
    }
    return false;
  }

  private void end(OutputStream out, String reason) throws IOException {
    write(out, "event: end\ndata: " + json(Map.of("reason", reason)) + "\n\n");
  }

  private String json(Object value) throws JsonProcessingException {
    return json.writeValueAsString(value);
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
