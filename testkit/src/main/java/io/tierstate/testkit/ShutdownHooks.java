package io.tierstate.testkit;

/**
 * Orders work at JVM exit before the testkit kills its servers. The JVM runs shutdown hooks
 * concurrently, so a program that must stop gracefully while its embedded Redis or PostgreSQL is
 * still up (drain requests, close connections) registers that work here instead of in a hook of
 * its own. Thread-safe.
 */
public final class ShutdownHooks {
  private ShutdownHooks() {}

  /**
   * Runs {@code task} at JVM exit, before any server started by the testkit is killed; tasks run
   * one after another in registration order, and an exception in one does not stop the others.
   *
   * @throws NullPointerException if {@code task} is null
   */
  public static void beforeServersStop(Runnable task) {
    if (task == null) {
      throw new NullPointerException("task");
    }
    ProcessReaper.runFirst(task);
  }
}
