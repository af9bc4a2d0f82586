package io.tierstate.internal.redis;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * One blocking TCP connection (plain or TLS) speaking RESP2: commands are written and their replies
 * read on the calling thread, with no event loop and no future in between. Commands can be
 * pipelined: {@link #write} several, {@link #flush()} once, then {@link #read()} each reply in
 * order.
 *
 * <p>Replies are returned as {@code byte[]} (bulk string), {@code null} (nil bulk or nil array),
 * {@link Long} (integer), {@link String} (simple string), {@code List<Object>} (array) or {@link
 * ErrorReply} (an error, which leaves the connection usable). An {@link IOException}, including a
 * {@link java.net.SocketTimeoutException}, leaves the stream in an unknown state: close the
 * connection.
 *
 * <p>Not thread-safe: one thread at a time, handed over through a pool. Internal to Tierstate.
 */
final class RespConnection implements AutoCloseable {
  private static final byte[] CRLF = {'\r', '\n'};

  /** Longer bulk strings than Redis allows (512 MB) mean the stream is out of step. */
  private static final long MAX_BULK_BYTES = 512L * 1024 * 1024;

  private static final int MAX_ARRAY_LENGTH = 1 << 24;

  /** An error reply: the command failed, the connection is still in step. */
  record ErrorReply(String message) {
    /** Whether Redis Cluster sent the command elsewhere ({@code MOVED} or {@code ASK}). */
    boolean isRedirect() {
      return message.startsWith("MOVED ") || message.startsWith("ASK ");
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final InetSocketAddress address;
  private byte[] outBuffer = new byte[512];
  private int outLength;
  private final byte[] inBuffer = new byte[16 * 1024];
  private int inPosition;
  private int inLimit;

  private RespConnection(Socket socket, InetSocketAddress address) throws IOException {
    this.socket = socket;
    this.address = address;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects (over TLS when {@code tls} is set); every later read waits at most {@code readTimeout}
   * for data.
   *
   * @param tls sockets for TLS, or null for plain TCP; the server's certificate must name the
   *     address's host as given (a name or an IP address), as Lettuce also checks
   * @throws IOException if the server cannot be reached, or its TLS handshake fails, within {@code
   *     connectTimeout}
   */
  static RespConnection open(
      InetSocketAddress address,
      Duration connectTimeout,
      Duration readTimeout,
      @Nullable SSLSocketFactory tls)
      throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(address, saturatedMillis(connectTimeout));
      socket.setTcpNoDelay(true); // one command, one segment: never wait for Nagle
      socket.setKeepAlive(true);
      Socket connected = tls == null ? socket : handshake(tls, socket, address, connectTimeout);
      connected.setSoTimeout(saturatedMillis(readTimeout));
      return new RespConnection(connected, address);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static SSLSocket handshake(
      SSLSocketFactory tls, Socket plain, InetSocketAddress address, Duration timeout)
      throws IOException {
    SSLSocket ssl =
        (SSLSocket) tls.createSocket(plain, address.getHostString(), address.getPort(), true);
    SSLParameters parameters = ssl.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS"); // check the host name, not just the CA
    ssl.setSSLParameters(parameters);
    ssl.setSoTimeout(saturatedMillis(timeout));
    ssl.startHandshake();
    return ssl;
  }

  private static int saturatedMillis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }

  /** The server this connection talks to. */
  InetSocketAddress address() {
    return address;
  }

  /** Sends one command and reads its reply. */
  @Nullable Object call(byte[]... args) throws IOException {
    write(args);
    flush();
    return read();
  }

  /** Sends one command of text arguments and reads its reply. */
  @Nullable Object call(String... args) throws IOException {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return call(bytes);
  }

  /** Appends one command to the output buffer; {@link #flush()} sends it. */
  void write(byte[]... args) {
    header('*', args.length);
    for (byte[] arg : args) {
      header('$', arg.length);
      append(arg, arg.length);
      append(CRLF, 2);
    }
  }

  private void header(char type, int count) {
    ensure(16);
    outBuffer[outLength++] = (byte) type;
    if (count < 10) {
      outBuffer[outLength++] = (byte) ('0' + count);
    } else {
      byte[] digits = Integer.toString(count).getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(digits, 0, outBuffer, outLength, digits.length);
      outLength += digits.length;
    }
    outBuffer[outLength++] = '\r';
    outBuffer[outLength++] = '\n';
  }

  private void append(byte[] bytes, int length) {
    ensure(length);
    System.arraycopy(bytes, 0, outBuffer, outLength, length);
    outLength += length;
  }

  private void ensure(int more) {
    if (outLength + more > outBuffer.length) {
      outBuffer = Arrays.copyOf(outBuffer, Math.max(outBuffer.length * 2, outLength + more));
    }
  }

  /** Sends everything written since the last flush, in one write. */
  void flush() throws IOException {
    out.write(outBuffer, 0, outLength);
    out.flush();
    outLength = 0;
  }

  /** Reads the next reply. */
  @Nullable Object read() throws IOException {
    int type = next();
    return switch (type) {
      case '$' -> bulk(number());
      case '*' -> array(number());
      case ':' -> number();
      case '+' -> line();
      case '-' -> new ErrorReply(line());
      default ->
          throw new IOException(
              "unexpected RESP reply type 0x" + Integer.toHexString(type) + " from " + address);
    };
  }

  private byte @Nullable [] bulk(long length) throws IOException {
    if (length == -1) {
      return null;
    }
    if (length < 0 || length > MAX_BULK_BYTES) {
      throw new IOException("malformed bulk length " + length + " from " + address);
    }
    byte[] bytes = new byte[(int) length];
    int buffered = Math.min(inLimit - inPosition, bytes.length);
    System.arraycopy(inBuffer, inPosition, bytes, 0, buffered);
    inPosition += buffered;
    int filled = buffered;
    while (filled < bytes.length) {
      int n = in.read(bytes, filled, bytes.length - filled);
      if (n < 0) {
        throw new EOFException("connection to " + address + " closed in a reply");
      }
      filled += n;
    }
    if (next() != '\r' || next() != '\n') {
      throw new IOException("malformed bulk reply from " + address);
    }
    return bytes;
  }

  private @Nullable List<Object> array(long length) throws IOException {
    if (length == -1) {
      return null;
    }
    if (length < 0 || length > MAX_ARRAY_LENGTH) {
      throw new IOException("malformed array length " + length + " from " + address);
    }
    List<Object> items = new ArrayList<>((int) length);
    for (int i = 0; i < length; i++) {
      items.add(read());
    }
    return items;
  }

  /** A signed decimal number ending in CRLF. */
  private long number() throws IOException {
    int c = next();
    boolean negative = c == '-';
    if (negative) {
      c = next();
    }
    long value = 0;
    int digits = 0;
    while (c != '\r') {
      if (c < '0' || c > '9' || ++digits > 19) {
        throw new IOException("malformed number in a reply from " + address);
      }
      try {
        value = Math.addExact(Math.multiplyExact(value, 10), c - '0');
      } catch (ArithmeticException e) {
        throw new IOException("number out of range in a reply from " + address, e);
      }
      c = next();
    }
    if (digits == 0 || next() != '\n') {
      throw new IOException("malformed number in a reply from " + address);
    }
    return negative ? -value : value;
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = next(); c != '\r'; c = next()) {
      line.append((char) c);
    }
    if (next() != '\n') {
      throw new IOException("malformed reply line from " + address);
    }
    return line.toString();
  }

  private int next() throws IOException {
    if (inPosition == inLimit) {
      int n = in.read(inBuffer, 0, inBuffer.length);
      if (n < 0) {
        throw new EOFException("connection to " + address + " closed by the server");
      }
      inPosition = 0;
      inLimit = n;
    }
    return inBuffer[inPosition++] & 0xFF;
  }

  /** Closes the socket; closing again does nothing. */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing to do about a failed close of a connection that is being dropped.
    }
  }
}
