package io.tierstate.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records every command a Redis server executes, in execution order (MONITOR), as the list of its
 * quoted arguments; for tests whose subject is the order in which commands ran.
 */
public final class RedisMonitor implements AutoCloseable {
  private static final Pattern ARGUMENT = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final Socket socket;
  private final Thread reader;
  private final List<List<String>> commands = new CopyOnWriteArrayList<>();

  private RedisMonitor(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.getOutputStream().write("MONITOR\r\n".getBytes(UTF_8));
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    String ok = in.readLine();
    if (!"+OK".equals(ok)) {
      socket.close();
      throw new IOException("MONITOR was refused: " + ok);
    }
    reader = new Thread(() -> read(in), "redis-monitor-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts recording the commands of the server on {@code port}. */
  public static RedisMonitor start(int port) {
    try {
      return new RedisMonitor(port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot MONITOR Redis on port " + port, e);
    }
  }

  private void read(BufferedReader in) {
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        // +1700000000.123456 [0 127.0.0.1:40000] "EVALSHA" "ab12..." "2" "ns:{k}" ...
        List<String> arguments = new ArrayList<>();
        Matcher matcher = ARGUMENT.matcher(line);
        while (matcher.find()) {
          arguments.add(matcher.group(1));
        }
        if (!arguments.isEmpty()) {
          commands.add(List.copyOf(arguments));
        }
      }
    } catch (IOException e) {
      // closed
    }
  }

  /**
   * The commands recorded so far, oldest first, each as its arguments (the name upper-cased as
   * sent).
   */
  public List<List<String>> commands() {
    return List.copyOf(commands);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
