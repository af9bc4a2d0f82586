package io.tierstate.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A browser for tests over java.net.http: keeps cookies by name and path (as Set-Cookie says,
 * honouring Max-Age=0), sends the server's Origin on unsafe requests made with {@link #post},
 * {@link #patch} and {@link #delete} (CSRF check), a fixed X-Forwarded-For of its own so that each
 * test has its own client address, and parses JSON answers. {@link #on} moves the same cookies to
 * another instance.
 */
public final class ApiClient {
  /** One HTTP/1.1 client for all tests. */
  public static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  /** A plain JSON mapper for bodies. */
  public static final ObjectMapper JSON = new ObjectMapper();
  /** The User-Agent every request carries; the server records it on sessions. */
  public static final String USER_AGENT = "tierstate-tests";

  private final String baseUrl;
  private final String clientIp;
  private final Map<String, Cookie> cookies = new LinkedHashMap<>();
  private UUID userId = new UUID(0, 0);
  private UUID tenantId = new UUID(0, 0);

  /** A cookie as the server set it; {@code raw} is the whole Set-Cookie header (empty when set by a test). */
  public record Cookie(String name, String value, String path, String raw) {}

  /** An answer: status, headers and the body as JSON (missing node when empty or not JSON). */
  public record Answer(int status, HttpResponse<String> response, JsonNode json) {
    /** The answer to {@code response}, its body parsed as JSON. */
    public static Answer of(HttpResponse<String> response) {
      return new Answer(response.statusCode(), response, parse(response.body()));
    }

    /** A response header, or null. */
    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    /** All response headers. */
    public HttpHeaders headers() {
      return response.headers();
    }

    /** The body as received. */
    public String body() {
      return response.body();
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

  /** A client of the server at {@code baseUrl} that says it comes from {@code clientIp}. */
  public ApiClient(String baseUrl, String clientIp) {
    this.baseUrl = baseUrl;
    this.clientIp = clientIp;
  }

  /** The same signed-in browser, against another instance (behind the same domain). */
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

  /** The address this client sends as X-Forwarded-For. */
  public String clientIp() {
    return clientIp;
  }

  /** The signed-in user's id (after {@link #login}). */
  public UUID userId() {
    return userId;
  }

  /** The signed-in user's tenant id (after {@link #login}). */
  public UUID tenantId() {
    return tenantId;
  }

  /** The cookie named {@code name}, if the server set it and did not expire it. */
  public Optional<Cookie> cookie(String name) {
    return Optional.ofNullable(cookies.get(name));
  }

  /** Sets a cookie as if the server had, to replay or forge one. */
  public void setCookie(String name, String value, String path) {
    cookies.put(name, new Cookie(name, value, path, ""));
  }

  /** Signs in; fails the test unless it succeeds. */
  public Answer login(String email, String password) {
    Answer answer = attemptLogin(email, password);
    if (answer.status() != 200) {
      throw new AssertionError("login of " + email + " failed: " + answer);
    }
    return answer;
  }

  /** Tries to sign in and returns the answer, whatever it is, for the test to assert on. */
  public Answer attemptLogin(String email, String password) {
    Answer answer = post("/api/v1/auth/login", Map.of("email", email, "password", password));
    if (answer.status() == 200) {
      userId = UUID.fromString(answer.json().path("user").path("id").asText());
      tenantId = UUID.fromString(answer.json().path("tenant").path("id").asText());
    }
    return answer;
  }

  public Answer get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Answer get(String path, Map<String, String> headers) {
    return send("GET", path, null, headers);
  }

  public Answer post(String path, Object body) {
    return send("POST", path, json(body), withOrigin(Map.of()));
  }

  public Answer patch(String path, Object body) {
    return patch(path, body, Map.of());
  }

  public Answer patch(String path, Object body, Map<String, String> headers) {
    return send("PATCH", path, json(body), withOrigin(headers));
  }

  public Answer delete(String path) {
    return send("DELETE", path, null, withOrigin(Map.of()));
  }

  /**
   * Sends a request with exactly {@code headers} besides the client's own (X-Forwarded-For,
   * User-Agent, cookies): no Origin is added, so tests can check the CSRF defence. A null body
   * sends none.
   */
  public Answer send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = request(path)
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::setHeader); // replaces the Content-Type above when a test gives its own
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      response.headers().allValues("Set-Cookie").forEach(this::remember);
      return Answer.of(response);
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

  /** The Cookie header this client sends to {@code path}, empty when it has no cookie for it. */
  public String cookieHeader(String path) {
    return cookies.values().stream().filter(c -> path.startsWith(c.path()))
        .map(c -> c.name() + "=" + c.value()).collect(Collectors.joining("; "));
  }

  /** A request to {@code path} with the client's address, User-Agent and the cookies for that path. */
  HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("X-Forwarded-For", clientIp)
        .header("User-Agent", USER_AGENT);
    String cookie = cookieHeader(path);
    if (!cookie.isEmpty()) {
      request.header("Cookie", cookie);
    }
    return request;
  }

  private Map<String, String> withOrigin(Map<String, String> headers) {
    if (headers.containsKey("Origin")) {
      return headers;
    }
    Map<String, String> all = new HashMap<>(headers);
    all.put("Origin", baseUrl);
    return all;
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
    String[] parts = setCookie.split(";\\s*", -1);
    int eq = parts[0].indexOf('=');
    String name = parts[0].substring(0, eq).strip();
    String value = parts[0].substring(eq + 1).strip();
    String path = "/";
    boolean expired = false;
    for (String attribute : parts) {
      if (attribute.startsWith("Path=")) {
        path = attribute.substring(5);
      } else if (attribute.equals("Max-Age=0")) {
        expired = true;
      }
    }
    if (expired) {
      cookies.remove(name);
    } else {
      cookies.put(name, new Cookie(name, value, path, setCookie));
    }
  }
}
