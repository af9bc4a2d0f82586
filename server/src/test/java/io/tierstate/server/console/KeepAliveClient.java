package io.tierstate.server.console;

import io.tierstate.server.testing.ApiClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The smallest HTTP/1.1 client that keeps its connection: GETs on one socket on the caller's
 * thread, reading a {@code Content-Length} or chunked answer. For the benchmark's second opinion on
 * what java.net.http (its selector thread and executor hand-offs) adds to a request. Not
 * thread-safe.
 */
final class KeepAliveClient implements AutoCloseable {
  /** An answer: status, the {@code Server-Timing} header (or null) and the body. */
  record Reply(int status, String serverTiming, String body) {}

  private final String host;
  private final String cookie;
  private final String clientIp;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** Connects to {@code host} ({@code host:port}), sending {@code cookie} and {@code clientIp} with each request. */
  KeepAliveClient(String host, String cookie, String clientIp) throws IOException {
    this.host = host;
    this.cookie = cookie;
    this.clientIp = clientIp;
    int colon = host.lastIndexOf(':');
    this.socket = new Socket(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1)));
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(15_000);
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  Reply get(String path) {
    try {
      String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nCookie: " + cookie
          + "\r\nX-Forwarded-For: " + clientIp + "\r\nUser-Agent: " + ApiClient.USER_AGENT
          + "\r\nAccept: application/json\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = line();
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.1")) {
        throw new IOException("not an HTTP/1.1 status line: '" + status + "'");
      }
      long length = -1;
      boolean chunked = false;
      String timing = null;
      for (String line = line(); !line.isEmpty(); line = line()) {
        int colon = line.indexOf(':');
        String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).strip();
        switch (name) {
          case "content-length" -> length = Long.parseLong(value);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "server-timing" -> timing = value;
          case "connection" -> {
            if (value.equalsIgnoreCase("close")) {
              throw new IOException("the server closed the keep-alive connection");
            }
          }
          default -> { }
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (chunked) {
        for (int size = Integer.parseInt(line().split(";")[0].strip(), 16); size > 0;
            size = Integer.parseInt(line().split(";")[0].strip(), 16)) {
          body.write(in.readNBytes(size));
          line(); // the CRLF after the chunk
        }
        while (!line().isEmpty()) { } // trailers, then the empty line
      } else if (length >= 0) {
        body.write(in.readNBytes((int) length));
      } else {
        throw new IOException("an answer without Content-Length or chunks on a keep-alive connection");
      }
      return new Reply(Integer.parseInt(parts[1]), timing, body.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the connection closed mid-answer");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
