package io.tierstate.testkit;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.util.ArchUtils;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;
import org.tukaani.xz.XZInputStream;

/**
 * Locates the PostgreSQL {@code bin} directory ({@code initdb} and {@code postgres}); see {@link
 * PostgresServer} for the search order. Thread-safe: results are computed once per JVM.
 */
final class PostgresBinaries {
  /** System property naming a PostgreSQL {@code bin} directory, or {@code embedded}. */
  static final String PROPERTY = "tierstate.postgres-bin";

  /** The value of {@link #PROPERTY} that forces the binaries shipped in zonky's jars. */
  static final String EMBEDDED = "embedded";

  private static final List<String> SEARCH_ROOTS = List.of("/usr/lib/postgresql", "/usr/pgsql");
  private static final List<String> WELL_KNOWN = List.of("/usr/local/pgsql/bin", "/usr/bin");
  private static final Set<PosixFilePermission> READ = PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> READ_EXECUTE =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private static @Nullable Path resolved;
  private static @Nullable Path embedded;

  private PostgresBinaries() {}

  /**
   * The {@code bin} directory to run.
   *
   * @throws IllegalStateException if the system property names a directory without {@code initdb}
   *     and {@code postgres}, or none is found and zonky ships none for this platform
   */
  static synchronized Path binDirectory() {
    Path bin = resolved;
    if (bin == null) {
      bin = resolve();
      resolved = bin;
    }
    return bin;
  }

  /** The binaries shipped in zonky's jars, extracted once per JVM; deleted when the JVM exits. */
  static synchronized Path embedded() {
    Path bin = embedded;
    if (bin == null) {
      bin = extractEmbedded();
      embedded = bin;
    }
    return bin;
  }

  private static Path resolve() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      if (configured.equals(EMBEDDED)) {
        return embedded();
      }
      Path path = Path.of(configured);
      if (!isBinDirectory(path)) {
        throw new IllegalStateException("system property " + PROPERTY
            + " must name a PostgreSQL bin directory with initdb and postgres, or be '"
            + EMBEDDED + "': '" + configured + "'");
      }
      return path;
    }
    Path newest = newestVersioned();
    if (newest != null) {
      return newest;
    }
    for (String wellKnown : WELL_KNOWN) {
      if (isBinDirectory(Path.of(wellKnown))) {
        return Path.of(wellKnown);
      }
    }
    return embedded();
  }

  /** The newest {@code /usr/lib/postgresql/N/bin} (Debian) or {@code /usr/pgsql-N/bin} (RPM). */
  private static @Nullable Path newestVersioned() {
    List<Path> candidates = new ArrayList<>();
    for (String root : SEARCH_ROOTS) {
      Path rootPath = Path.of(root);
      if (Files.isDirectory(rootPath)) {
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(rootPath)) {
          versions.forEach(version -> candidates.add(version.resolve("bin")));
        } catch (IOException e) {
          // An unreadable root is no candidate.
        }
      }
    }
    try (DirectoryStream<Path> rpm = Files.newDirectoryStream(Path.of("/usr"), "pgsql-*")) {
      rpm.forEach(dir -> candidates.add(dir.resolve("bin")));
    } catch (IOException e) {
      // No /usr: no RPM-style installation.
    }
    return candidates.stream()
        .filter(PostgresBinaries::isBinDirectory)
        .max(Comparator.comparingDouble(PostgresBinaries::version))
        .orElse(null);
  }

  /** The major version in a path such as {@code /usr/lib/postgresql/15/bin}; 0 when there is none. */
  private static double version(Path bin) {
    Path versionDir = bin.getParent();
    String name = versionDir == null || versionDir.getFileName() == null
        ? "" : versionDir.getFileName().toString().replace("pgsql-", "");
    try {
      return Double.parseDouble(name);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static boolean isBinDirectory(Path dir) {
    return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("postgres"));
  }

  private static Path extractEmbedded() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String system = os.contains("mac") || os.contains("darwin") ? "Darwin" : "Linux";
    String arch = ArchUtils.normalize(System.getProperty("os.arch", ""));
    Path root;
    try {
      root = Files.createTempDirectory("tierstate-postgres-bin-");
      // The unprivileged user that runs PostgreSQL under a root JVM must read and execute it.
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the PostgreSQL binaries", e);
    }
    ProcessReaper.register(root);
    try (InputStream archive = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, arch);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive)))) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        Path target = root.resolve(entry.getName()).normalize();
        if (!target.startsWith(root)) {
          throw new IllegalStateException("zonky archive entry escapes its directory: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(target.getParent());
          Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
          boolean executable = (entry.getMode() & 0100) != 0;
          Files.setPosixFilePermissions(target, executable ? READ_EXECUTE : READ);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "no PostgreSQL found under /usr/lib/postgresql and the zonky binaries for " + system
              + "/" + arch + " cannot be extracted; install PostgreSQL or set -D" + PROPERTY, e);
    }
    Path bin = root.resolve("bin");
    if (!isBinDirectory(bin)) {
      throw new IllegalStateException("the zonky archive for " + system + "/" + arch
          + " holds no bin/initdb and bin/postgres");
    }
    return bin;
  }
}
