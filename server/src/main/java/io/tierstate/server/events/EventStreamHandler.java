package io.tierstate.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.tierstate.redis.RedisUnavailableException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/events}: holds the request open on its (virtual) thread and writes events as
 * they come, a heartbeat comment when none came for a while, and ends the stream when the session
 * or the account ends, when the client goes away, or when the server stops. Thread-safe.
 */
final class EventStreamHandler implements Handler {
  private static final Logger log = LoggerFactory.getLogger(EventStreamHandler.class);

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
    EventStream stream = hub.open(me.tenantId(), me.userId(), me.sessionId());
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
      while (true) {
        EventStream.Item item = stream.next(heartbeat.toMillis());
        if (item == null) {
          write(out, ": heartbeat\n\n");
          if (!stillSignedIn(stream)) {
            write(out, "event: end\ndata: {\"reason\":\"session_ended\"}\n\n");
            break;
          }
          continue;
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
        if (stream.takeRecheck() && !stillSignedIn(stream)) {
          write(out, "event: end\ndata: {\"reason\":\"session_ended\"}\n\n");
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

  /** Whether the session is live and the account active; true when Redis cannot tell (degraded). */
  private boolean stillSignedIn(EventStream stream) {
    try {
      if (sessions.get(stream.sessionId()).isEmpty()) {
        return false;
      }
    } catch (RedisUnavailableException | IllegalArgumentException e) {
      // Cannot check now; the next heartbeat tries again.
    }
    try {
      UserAccess current = access.get(stream.tenantId(), stream.userId());
      return current != null && current.active();
    } catch (RuntimeException e) {
      return true; // PostgreSQL unreachable: keep the stream, check again later
    }
  }

  private String json(Object value) throws JsonProcessingException {
    return json.writeValueAsString(value);
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
