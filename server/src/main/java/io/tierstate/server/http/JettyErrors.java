package io.tierstate.server.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.jspecify.annotations.Nullable;

/**
 * The JSON error shape for what Jetty refuses before any handler runs: a header with a NUL, a
 * malformed request line, headers over the size limit. Jetty's default answers these with an HTML
 * page, which clients of a JSON API cannot parse. Install with {@code server.setErrorHandler}.
 */
public final class JettyErrors extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, @Nullable String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    fields.put(HttpHeader.CACHE_CONTROL, "no-store");
    return ByteBuffer.wrap(body(status, reason));
  }

  @Override
  public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    baseRequest.setHandled(true);
    Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.getOutputStream().write(body(response.getStatus(), message == null ? null : message.toString()));
  }

  private static byte[] body(int status, @Nullable String reason) {
    String code = switch (status) {
      case 400 -> "bad_request";
      case 413 -> "body_too_large";
      case 414 -> "path_too_long";
      case 431 -> "headers_too_large";
      default -> "http_" + status;
    };
    String message = "the request is malformed"
        + (reason == null || reason.isBlank() ? "" : ": " + reason.replaceAll("[^\\x20-\\x7e]", "?"));
    return ("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"}}").getBytes(StandardCharsets.UTF_8);
  }
}
