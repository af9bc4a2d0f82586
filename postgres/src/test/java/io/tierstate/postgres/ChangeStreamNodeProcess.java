package io.tierstate.postgres;

import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

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
    Tierstate node = node(args[0], args[1], args[2]);
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

  /**
   * A node as the change-stream tests run them: short command timeout and breaker, so that a
   * killed or restarted server is noticed quickly.
   */
  static Tierstate node(String redisUrl, String namespace, String id) {
    return Tierstate.create(
        TierstateConfig.builder()
            .redisUrl(redisUrl)
            .namespace(namespace)
            .nodeId(id)
            .commandTimeout(Duration.ofMillis(500))
            .breakerOpenDuration(Duration.ofMillis(200))
            .build());
  }

  /**
   * Starts this class in a JVM of its own with {@code args} (see the class comment); {@code
   * streaming} follows what it prints: true while it reads the slot.
   */
  static Process launch(String id, AtomicBoolean streaming, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp",
        System.getProperty("java.class.path"),
        ChangeStreamNodeProcess.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Thread.ofPlatform()
        .daemon()
        .name("out-" + id)
        .start(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  streaming.set(line.startsWith("streaming"));
                }
              } catch (IOException e) {
                // The process died.
              }
            });
    return process;
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
