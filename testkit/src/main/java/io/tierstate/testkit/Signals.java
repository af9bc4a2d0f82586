package io.tierstate.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Sends POSIX signals to server processes. Stateless and thread-safe. */
final class Signals {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Signals() {}

  /**
   * Sends a signal, such as {@code "STOP"}, through kill(1): the JDK can only send SIGTERM and
   * SIGKILL.
   *
   * @throws IllegalStateException if kill(1) fails
   */
  static void send(long pid, String signal) {
    ProcessBuilder builder =
        new ProcessBuilder("/bin/sh", "-c", "kill -s \"$1\" \"$2\"", "sh", signal, Long.toString(pid))
            .redirectErrorStream(true);
    try {
      Process kill = builder.start();
      String output = new String(kill.getInputStream().readAllBytes(), UTF_8).strip();
      if (!kill.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -s " + signal + " " + pid + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -s " + signal + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal, e);
    }
  }

  /** Whether the kernel reports the process as stopped; true where /proc is unavailable. */
  static boolean isStopped(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String content = Files.readString(stat, UTF_8);
      // The state follows the command name, which is in parentheses and may contain spaces.
      int end = content.lastIndexOf(')');
      return end < 0 || end + 2 >= content.length() || "Tt".indexOf(content.charAt(end + 2)) >= 0;
    } catch (IOException e) {
      return true;
    }
  }
}
