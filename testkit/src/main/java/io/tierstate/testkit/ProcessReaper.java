package io.tierstate.testkit;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure no server process (redis-server, postgres) outlives the JVM: a shutdown hook kills every registered process
 * (SIGKILL works on paused ones too) and then deletes every registered directory. Thread-safe.
 */
final class ProcessReaper {
  private static final Set<Process> processes = ConcurrentHashMap.newKeySet();
  private static final Set<Path> directories = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProcessReaper::reapAll, "tierstate-testkit-reaper"));
  }

  private ProcessReaper() {}

  static void register(Process process) {
    processes.add(process);
  }

  static void unregister(Process process) {
    processes.remove(process);
  }

  static void register(Path directory) {
    directories.add(directory);
  }

  static void unregister(Path directory) {
    directories.remove(directory);
  }

  private static void reapAll() {
    // Children first: a PostgreSQL postmaster's backends would otherwise outlive it briefly.
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    for (Process process : processes) {
      try {
        process.waitFor(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    directories.forEach(TempDirs::deleteQuietly);
  }
}
