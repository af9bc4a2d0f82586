package io.tierstate.postgres;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import java.time.Duration;
import java.util.List;

/**
 * A node in a JVM of its own, for tests that kill it with {@code kill -9}: a Tierstate node that
 * runs the change stream of {@link ChangeStreamKillIntegrationTests}'s table. It prints {@code
 * streaming TOKEN} on standard output when it starts reading the slot and {@code idle} when it
 * stops, and exits when its standard
 * input closes (the test JVM went away), so that no orphan keeps the lock.
 *
 * <p>Arguments: Redis URL, namespace, node id, JDBC URL, user, password, slot, lease in ms.
 */
public final class ChangeStreamNodeProcess {
  private ChangeStreamNodeProcess() {}

  public static void main(String[] args) throws Exception {
    Tierstate node =
        Tierstate.create(
            TierstateConfig.builder()
                .redisUrl(args[0])
                .namespace(args[1])
                .nodeId(args[2])
                .commandTimeout(Duration.ofMillis(500))
                .breakerOpenDuration(Duration.ofMillis(200))
                .build());
    ChangeStream stream =
        mapping(ChangeStream.builder(node, args[3], args[4], args[5]))
            .and()
            .slot(args[6])
            .lease(Duration.ofMillis(Long.parseLong(args[7])))
            .start();
    Thread parent =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try {
                    while (System.in.read() >= 0) {
                      // Nothing is sent; end of input means the parent is gone.
                    }
                  } catch (java.io.IOException e) {
                    // Same.
                  }
                  stream.close();
                  node.close();
                  System.exit(0);
                });
    boolean said = false;
    while (parent.isAlive()) {
      boolean streaming = stream.isStreaming();
      if (streaming != said) {
        // A consumer can lose the stream (PostgreSQL restarting) and another node take it over.
        System.out.println(streaming ? "streaming " + stream.fencingToken() : "idle");
        System.out.flush();
      }
      said = streaming;
      Thread.sleep(10);
    }
  }

  /** The mapping of the table {@code items}: the key {@code item:ID} and the tag {@code group:G}. */
  static TableMapping mapping(ChangeStream.Builder builder) {
    return builder
        .table("items")
        .keys(row -> List.of("item:" + row.require("id")))
        .tags(row -> List.of("group:" + row.require("grp")))
        .resyncPatterns("item:*", "group-list:*");
  }
}
