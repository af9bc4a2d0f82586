package io.tierstate.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.model.OsArchitecture;

/**
 * Locates the {@code redis-server} binary; see the package documentation for the search order.
 * Thread-safe: results are computed once per JVM.
 */
final class RedisBinary {
  /** System property naming a {@code redis-server} binary to use instead of searching for one. */
  static final String PROPERTY = "tierstate.redis-server";

  private static final List<String> WELL_KNOWN =
      List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server");

  private static @Nullable Path resolved;
  private static @Nullable Path embedded;

  private RedisBinary() {}

  /**
   * The binary to run.
   *
   * @throws IllegalStateException if the system property names a file that is not executable, or
   *     no binary is found and embedded-redis ships none for this platform
   */
  static synchronized Path redisServer() {
    Path binary = resolved;
    if (binary == null) {
      binary = resolve();
      resolved = binary;
    }
    return binary;
  }

  /**
   * The binary shipped inside the embedded-redis jar, extracted once per JVM to a temporary
   * directory that is deleted when the JVM exits.
   *
   * @throws IllegalStateException if embedded-redis ships no binary for this OS and architecture
   */
  static synchronized Path embedded() {
    Path binary = embedded;
    if (binary == null) {
      binary = extractEmbedded();
      embedded = binary;
    }
    return binary;
  }

  private static Path resolve() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(
            "system property " + PROPERTY + " must name an executable redis-server: '"
                + configured + "'");
      }
      return path;
    }
    String pathVariable = System.getenv("PATH");
    if (pathVariable != null) {
      List<Path> onPath =
          Pattern.compile(Pattern.quote(File.pathSeparator))
              .splitAsStream(pathVariable)
              .filter(dir -> !dir.isEmpty())
              .map(dir -> Path.of(dir, "redis-server"))
              .filter(Files::isExecutable)
              .toList();
      if (!onPath.isEmpty()) {
        return onPath.get(0);
      }
    }
    for (String wellKnown : WELL_KNOWN) {
      Path candidate = Path.of(wellKnown);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return embedded();
  }

  private static Path extractEmbedded() {
    Map<OsArchitecture, String> resources = ExecutableProvider.newProvidedVersionsMap();
    OsArchitecture platform = OsArchitecture.detectOSandArchitecture();
    String resource = resources.get(platform);
    if (resource == null) {
      throw new IllegalStateException(
          "no redis-server found on PATH and embedded-redis ships none for "
              + platform.os + "/" + platform.arch + "; install redis-server or set -D" + PROPERTY);
    }
    try (InputStream in = ExecutableProvider.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "embedded-redis jar lacks its resource " + resource + "; install redis-server");
      }
      Path dir = Files.createTempDirectory("tierstate-redis-bin-");
      Path binary = dir.resolve("redis-server");
      Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(() -> TempDirs.deleteQuietly(dir), "tierstate-redis-binary-cleanup"));
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract embedded redis-server " + resource, e);
    }
  }
}
