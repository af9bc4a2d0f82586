package io.tierstate.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one connection per request: sends exactly the bytes a test gives
 * (a path with raw bytes, a header with a NUL, a body that is no UTF-8), which java.net.http
 * refuses to send. Reads the answer whole, or only its head for an event stream.
 */
public final class RawHttp {
  private RawHttp() {}

  /** An answer: status, headers (lower-case names, last value wins) and body. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
  }

  /**
   * Sends one request to {@code 127.0.0.1:port}.
   *
   * @param target the request target as bytes (path and query, escaped or not)
   * @param headers header lines as bytes, without CRLF, besides Host, Content-Length and Connection
   */
  public static Response send(int port, String method, byte[] target, Iterable<byte[]> headers, byte[] body) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes((method + " ").getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(target);
      request.writeBytes((" HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] header : headers) {
        request.writeBytes(header);
        request.writeBytes(new byte[] {'\r', '\n'});
      }
      if (body.length > 0 || !method.equals("GET")) {
        request.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      request.writeBytes(new byte[] {'\r', '\n'});
      request.writeBytes(body);
      OutputStream out = socket.getOutputStream();
      out.write(request.toByteArray());
      out.flush();
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Response read(InputStream in) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP status line: '" + statusLine + "'");
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
    }
    String type = headers.getOrDefault("content-type", "");
    if (type.startsWith("text/event-stream")) {
      return new Response(status, headers, ""); // endless by design: the head is enough
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line(in).split(";", 2)[0].strip(), 16);
        if (size == 0) {
          break;
        }
        all.writeBytes(in.readNBytes(size));
        line(in);
      }
      body = all.toByteArray();
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.readAllBytes();
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed mid-line");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
