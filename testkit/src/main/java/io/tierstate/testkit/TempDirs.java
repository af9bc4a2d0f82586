package io.tierstate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Creates and deletes the temporary directories servers run in. Stateless and thread-safe. */
final class TempDirs {
  private TempDirs() {}

  /** Creates a fresh temporary directory whose name starts with {@code prefix}. */
  static Path create(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for a test server", e);
    }
  }

  /** Deletes a directory tree; a file that cannot be deleted is left behind. */
  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(TempDirs::deleteIfPossible);
    } catch (IOException | UncheckedIOException e) {
      // A leftover temporary directory is harmless; failing a test over it is not.
    }
  }

  private static void deleteIfPossible(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // See deleteQuietly: best effort.
    }
  }
}
