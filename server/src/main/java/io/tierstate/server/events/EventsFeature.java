package io.tierstate.server.events;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.auth.AccessCache;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers {@code GET /api/v1/events} (signed-in users) and subscribes this node to every
 * invalidation, local or remote, to fan it out to the node's streams.
 */
public final class EventsFeature implements Feature {
  /** How often an idle stream gets a heartbeat comment (and its session is checked). */
  public static final Duration HEARTBEAT = Duration.ofSeconds(15);
  /** The most streams one user may hold open on one node. */
  public static final int MAX_STREAMS_PER_USER = 5;

  private static final Logger log = LoggerFactory.getLogger(EventsFeature.class);

  @Override
  public void register(Javalin app, ServerContext context) {
    EventHub hub = new EventHub(MAX_STREAMS_PER_USER);
    AutoCloseable subscription = context.tierstate().invalidator().onInvalidation(hub);
    app.events(events -> events.serverStopping(() -> {
      hub.shutdown();
      try {
        subscription.close();
      } catch (Exception e) {
        log.atWarn().setCause(e).log("could not remove the invalidation listener");
      }
    }));
    app.get("/api/v1/events", new EventStreamHandler(hub, context.tierstate().sessions(),
        new AccessCache(context.tierstate(), context.database()), context.json(), HEARTBEAT));
  }
}
