package io.tierstate.testkit;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure no server process (redis-server, postgres) outlives the JVM: a shutdown hook runs the
 * tasks registered with {@link ShutdownHooks}, then kills every registered process and its
 * children (SIGKILL works on paused ones too) and deletes every registered directory. Thread-safe.
 */
final class ProcessReaper {
  private static final Set<Process> processes = ConcurrentHashMap.newKeySet();
  private static final Set<Path> directories = ConcurrentHashMap.newKeySet();
  private static final List<Runnable> firstTasks = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProcessReaper::reapAll, "tierstate-testkit-reaper"));
  }

  private ProcessReaper() {}

  /** Runs {@code task} in the shutdown hook before any process is killed. */
  static void runFirst(Runnable task) {
    firstTasks.add(task);
  }

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
    // Shutdown hooks run concurrently: whoever needs the servers while stopping goes first here.
    for (Runnable task : firstTasks) {
      try {
        task.run();
      } catch (RuntimeException e) {
        // A failing task must not keep the servers alive.
      }
    }
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
