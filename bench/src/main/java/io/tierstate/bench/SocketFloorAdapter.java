package io.tierstate.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.lettuce.core.RedisURI;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The floor of an L2 hit: a plain blocking {@link Socket} per thread (TCP_NODELAY), a {@code GET}
 * written in RESP by hand, the bulk reply read on the calling thread, then the same Jackson decode
 * as the other adapters. No event loop, no futures, no thread hand-off: what any Redis client
 * would cost if it added nothing to the round trip.
 */
final class SocketFloorAdapter implements CacheAdapter {
  /** Keeps these keys apart from the other adapters'. */
  private static final String PREFIX = "socket:";
  private static final int TIMEOUT_MILLIS = 5_000;

  private final RedisURI uri;
  private final @Nullable String username;
  private final @Nullable String password;
  private final ObjectReader reader = JsonMapper.builder().build().readerFor(Value.class);
  private final List<Connection> connections = new ArrayList<>();
  private final ThreadLocal<Connection> connection = ThreadLocal.withInitial(this::open);

  SocketFloorAdapter(BenchRedis redis) {
    uri = RedisURI.create(redis.url());
    String[] credentials = new String[2];
    URLCredentials.apply(redis.url(), u -> credentials[0] = u, p -> credentials[1] = p);
    username = credentials[0];
    password = credentials[1];
  }

  /** One blocking connection, used by one thread. */
  private static final class Connection {
    final Socket socket;
    final OutputStream out;
    final InputStream in;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    /** Sends one command and returns its reply: a bulk string's bytes, or null for nil and OK. */
    byte @Nullable [] call(byte[]... args) throws IOException {
      ByteArrayOutputStream command = new ByteArrayOutputStream(64);
      command.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] arg : args) {
        command.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        command.writeBytes(arg);
        command.writeBytes(new byte[] {'\r', '\n'});
      }
      out.write(command.toByteArray()); // one write: one segment, no Nagle wait
      out.flush();
      return reply();
    }

    private byte @Nullable [] reply() throws IOException {
      int type = in.read();
      String line = line();
      return switch (type) {
        case '+' -> null;
        case '$' -> bulk(Integer.parseInt(line));
        case '-' -> throw new IOException("Redis replied with an error: " + line);
        default -> throw new IOException("unexpected reply type '" + (char) type + "' " + line);
      };
    }

    private byte @Nullable [] bulk(int length) throws IOException {
      if (length < 0) {
        return null;
      }
      byte[] bytes = in.readNBytes(length);
      if (bytes.length != length || in.read() != '\r' || in.read() != '\n') {
        throw new EOFException("truncated bulk reply");
      }
      return bytes;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\r'; c = in.read()) {
        if (c < 0) {
          throw new EOFException("connection closed by Redis");
        }
        line.append((char) c);
      }
      if (in.read() != '\n') {
        throw new IOException("malformed reply line: " + line);
      }
      return line.toString();
    }
  }

  private Connection open() {
    try {
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      Connection opened = new Connection(socket);
      if (password != null) {
        opened.call(username == null
            ? new byte[][] {bytes("AUTH"), bytes(password)}
            : new byte[][] {bytes("AUTH"), bytes(username), bytes(password)});
      }
      if (uri.getDatabase() != 0) {
        opened.call(bytes("SELECT"), bytes(String.valueOf(uri.getDatabase())));
      }
      synchronized (connections) {
        connections.add(opened);
      }
      return opened;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to Redis at " + uri.getHost() + ":" + uri.getPort(), e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void populate(Map<String, Value> entries) {
    try {
      for (Map.Entry<String, Value> entry : entries.entrySet()) {
        connection.get().call(bytes("SET"), bytes(PREFIX + entry.getKey()), Value.json(entry.getValue()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    entries.forEach((key, value) -> Checks.require(value.equals(get(key)), key, "Redis"));
  }

  @Override
  public @Nullable Value get(String key) {
    try {
      byte[] json = connection.get().call(bytes("GET"), bytes(PREFIX + key));
      return json == null ? null : reader.readValue(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    synchronized (connections) {
      for (Connection c : connections) {
        try {
          c.socket.close();
        } catch (IOException e) {
          // Closing anyway; nothing to do about a failed close.
        }
      }
      connections.clear();
    }
  }
}
