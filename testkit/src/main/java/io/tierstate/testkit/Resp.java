package io.tierstate.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A minimal RESP2 client: one command per connection, so the testkit needs no Redis client
 * library. Replies are decoded to {@link String} (simple and bulk strings), {@link Long}, {@link
 * ErrorReply}, {@link List} (arrays) or {@code null} (nil). Stateless and thread-safe.
 */
final class Resp {
  /** How long a command may take, connect included, unless the caller says otherwise. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** A Redis error reply, such as {@code ERR unknown command} or {@code MOVED 3999 host:port}. */
  record ErrorReply(String message) {}

  private Resp() {}

  /**
   * Sends one command to 127.0.0.1:{@code port} and returns the decoded reply.
   *
   * @throws IOException if the connection fails, or no reply arrives within {@code timeout}
   *     ({@link java.net.SocketTimeoutException})
   */
  static @Nullable Object call(int port, Duration timeout, String... args) throws IOException {
    int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(FreePorts.LOOPBACK, port), millis);
      socket.setSoTimeout(millis);
      socket.setTcpNoDelay(true);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      out.write(encode(args));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    }
  }

  /** Whether the server on {@code port} answers PING with PONG within {@code timeout}. */
  static boolean ping(int port, Duration timeout) {
    try {
      return "PONG".equals(call(port, timeout, "PING"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Encodes a command as a RESP array of bulk strings. */
  static byte[] encode(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    writeAscii(bytes, "*" + args.length + "\r\n");
    for (String arg : args) {
      byte[] data = arg.getBytes(UTF_8);
      writeAscii(bytes, "$" + data.length + "\r\n");
      bytes.write(data, 0, data.length);
      writeAscii(bytes, "\r\n");
    }
    return bytes.toByteArray();
  }

  /** Reads one reply. */
  static @Nullable Object read(InputStream in) throws IOException {
    int type = in.read();
    if (type == -1) {
      throw new EOFException("connection closed before Redis replied");
    }
    String line = readLine(in);
    return switch (type) {
      case '+' -> line;
      case '-' -> new ErrorReply(line);
      case ':' -> Long.parseLong(line);
      case '$' -> readBulk(in, Integer.parseInt(line));
      case '*' -> readArray(in, Integer.parseInt(line));
      default ->
          throw new IOException(
              "not a RESP2 reply: type byte '" + (char) type + "' followed by '" + line + "'");
    };
  }

  private static @Nullable String readBulk(InputStream in, int length) throws IOException {
    if (length < 0) {
      return null;
    }
    byte[] data = in.readNBytes(length);
    if (data.length != length || in.read() != '\r' || in.read() != '\n') {
      throw new EOFException("connection closed inside a bulk string");
    }
    return new String(data, UTF_8);
  }

  private static @Nullable List<@Nullable Object> readArray(InputStream in, int count)
      throws IOException {
    if (count < 0) {
      return null;
    }
    List<@Nullable Object> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      items.add(read(in));
    }
    return Collections.unmodifiableList(items);
  }

  /**
   * Renders a decoded reply as text: strings as they are, errors as {@code "ERR:" + message},
   * integers in decimal, arrays as their rendered elements joined by newlines (nested arrays are
   * flattened, nil elements become {@code "(nil)"}), and a nil reply as {@code null}.
   */
  static @Nullable String render(@Nullable Object reply) {
    return reply == null ? null : renderNonNull(reply);
  }

  private static String renderNonNull(@Nullable Object reply) {
    if (reply == null) {
      return "(nil)";
    }
    if (reply instanceof ErrorReply error) {
      return "ERR:" + error.message();
    }
    if (reply instanceof List<?> items) {
      return items.stream().map(Resp::renderNonNull).collect(Collectors.joining("\n"));
    }
    return reply.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b == -1) {
        throw new EOFException("connection closed inside a reply line");
      }
      if (b == '\r') {
        if (in.read() != '\n') {
          throw new IOException("malformed RESP line: CR not followed by LF");
        }
        return line.toString(UTF_8);
      }
      line.write(b);
    }
  }

  private static void writeAscii(ByteArrayOutputStream out, String text) {
    byte[] data = text.getBytes(UTF_8);
    out.write(data, 0, data.length);
  }
}
