package io.tierstate.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A minimal browser over java.net.http: keeps cookies by name and path (as Set-Cookie says,
 * honouring Max-Age=0), sends the Origin of the server on unsafe requests unless told otherwise,
 * and a fixed X-Forwarded-For so that each test has its own client address.
 */
final class Browser {
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String baseUrl;
  private final String clientIp;
  private final Map<String, Cookie> cookies = new LinkedHashMap<>();

  record Cookie(String name, String value, String path, String raw) {}

  Browser(String baseUrl, String clientIp) {
    this.baseUrl = baseUrl;
    this.clientIp = clientIp;
  }

  /** The same cookies, against another server (another instance behind the same domain). */
  Browser on(String otherBaseUrl) {
    Browser other = new Browser(otherBaseUrl, clientIp);
    other.cookies.putAll(cookies);
    return other;
  }

  String clientIp() {
    return clientIp;
  }

  Optional<Cookie> cookie(String name) {
    return Optional.ofNullable(cookies.get(name));
  }

  void setCookie(String name, String value, String path) {
    cookies.put(name, new Cookie(name, value, path, ""));
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, null, Map.of());
  }

  HttpResponse<String> post(String path, String json) {
    return send("POST", path, json, Map.of("Origin", baseUrl));
  }

  HttpResponse<String> login(String email, String password) {
    return post("/api/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
  }

  HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(30))
        .header("X-Forwarded-For", clientIp)
        .header("User-Agent", "tierstate-tests")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    List<String> sent = new ArrayList<>();
    for (Cookie cookie : cookies.values()) {
      if (path.startsWith(cookie.path())) {
        sent.add(cookie.name() + "=" + cookie.value());
      }
    }
    if (!sent.isEmpty()) {
      request.header("Cookie", String.join("; ", sent));
    }
    try {
      HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String setCookie : response.headers().allValues("Set-Cookie")) {
        remember(setCookie);
      }
      return response;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void remember(String setCookie) {
    String[] parts = setCookie.split(";\\s*", -1);
    int eq = parts[0].indexOf('=');
    String name = parts[0].substring(0, eq);
    String value = parts[0].substring(eq + 1);
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
