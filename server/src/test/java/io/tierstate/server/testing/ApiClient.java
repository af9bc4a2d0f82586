package io.tierstate.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A browser for tests over java.net.http: keeps the auth cookies (by name, honouring Max-Age=0),
 * sends the server's Origin on unsafe requests (CSRF check) and a fixed X-Forwarded-For of its own,
 * and parses JSON answers. {@link #on} moves the same cookies to another instance.
 */
public final class ApiClient {
  /** One HTTP/1.1 client for all tests. */
  public static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  /** A plain JSON mapper for bodies. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final String clientIp;
  private final Map<String, String> cookies = new LinkedHashMap<>();
  private UUID userId = new UUID(0, 0);
  private UUID tenantId = new UUID(0, 0);

  /** An answer: status, headers and the body as JSON (null node when empty or not JSON). */
  public record Answer(int status, HttpResponse<String> response, JsonNode json) {
    /** A response header, or null. */
    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    /** The error code of a JSON error answer. */
    public String errorCode() {
      return json.path("error").path("code").asText(null);
    }

    @Override
    public String toString() {
      return status + " " + response.body();
    }
  }

  ApiClient(String baseUrl, String clientIp) {
    this.baseUrl = baseUrl;
    this.clientIp = clientIp;
  }

  /** The same signed-in browser, against another instance. */
  public ApiClient on(String otherBaseUrl) {
    ApiClient other = new ApiClient(otherBaseUrl, clientIp);
    other.cookies.putAll(cookies);
    other.userId = userId;
    other.tenantId = tenantId;
    return other;
  }

  /** The base URL this client talks to. */
  public String baseUrl() {
    return baseUrl;
  }

  /** The signed-in user's id (after {@link #login}). */
  public UUID userId() {
    return userId;
  }

  /** The signed-in user's tenant id (after {@link #login}). */
  public UUID tenantId() {
    return tenantId;
  }

  /** The Cookie header this client sends to paths under /api/v1/ (besides the refresh path). */
  public String cookieHeader() {
    return cookies.entrySet().stream().filter(c -> c.getKey().equals("accessToken"))
        .map(c -> c.getKey() + "=" + c.getValue()).collect(Collectors.joining("; "));
  }

  /** Signs in; fails the test unless it succeeds. */
  public Answer login(String email, String password) {
    Answer answer = post("/api/v1/auth/login", Map.of("email", email, "password", password));
    if (answer.status() != 200) {
      throw new AssertionError("login of " + email + " failed: " + answer);
    }
    userId = UUID.fromString(answer.json().path("user").path("id").asText());
    tenantId = UUID.fromString(answer.json().path("tenant").path("id").asText());
    return answer;
  }

  public Answer get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Answer get(String path, Map<String, String> headers) {
    return send("GET", path, null, headers);
  }

  public Answer post(String path, Object body) {
    return send("POST", path, json(body), Map.of());
  }

  public Answer patch(String path, Object body) {
    return send("PATCH", path, json(body), Map.of());
  }

  public Answer patch(String path, Object body, Map<String, String> headers) {
    return send("PATCH", path, json(body), headers);
  }

  public Answer delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  /**
   * Sends a request; unsafe methods carry the server's Origin unless {@code headers} has one. A
   * String body is sent as it is, so tests can send malformed JSON.
   */
  public Answer send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(30))
        .header("X-Forwarded-For", clientIp)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (!method.equals("GET") && !headers.containsKey("Origin")) {
      request.header("Origin", baseUrl);
    }
    headers.forEach(request::header);
    String cookie = cookies.entrySet().stream()
        .filter(c -> !c.getKey().equals("refreshToken") || path.startsWith("/api/v1/auth/refresh"))
        .map(c -> c.getKey() + "=" + c.getValue()).collect(Collectors.joining("; "));
    if (!cookie.isEmpty()) {
      request.header("Cookie", cookie);
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      response.headers().allValues("Set-Cookie").forEach(this::remember);
      return new Answer(response.statusCode(), response, parse(response.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Opens the event stream of this client on its instance. */
  public EventListener events() {
    return EventListener.open(this);
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("X-Forwarded-For", clientIp);
    String cookie = cookieHeader();
    if (!cookie.isEmpty()) {
      request.header("Cookie", cookie);
    }
    return request;
  }

  private static String json(Object body) {
    if (body instanceof String text) {
      return text;
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return JSON.missingNode();
    }
  }

  private void remember(String setCookie) {
    String first = Stream.of(setCookie.split(";", -1)).findFirst().orElse("");
    int eq = first.indexOf('=');
    String name = first.substring(0, eq).strip();
    String value = first.substring(eq + 1).strip();
    if (setCookie.contains("Max-Age=0")) {
      cookies.remove(name);
    } else {
      cookies.put(name, value);
    }
  }
}
