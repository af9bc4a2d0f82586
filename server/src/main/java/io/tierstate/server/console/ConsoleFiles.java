package io.tierstate.server.console;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.tierstate.server.api.Representations;
import io.tierstate.server.http.ApiError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /*}: the console's files from a classpath folder.
 *
 * <ul>
 *   <li>A path of the server's own ({@code /api/…}, {@code /admin/…}, {@code /health…}, {@code
 *       /metrics…}, {@code /openapi.json}) that no route took is a JSON 404, as it was before the
 *       console existed.
 *   <li>{@code /assets/*}: the file, {@code Cache-Control: public, max-age=31536000, immutable}
 *       (its name carries a hash of its content); a missing asset is 404, never {@code index.html}
 *       (a browser would run HTML as a script or style sheet).
 *   <li>Any other existing file ({@code /favicon.svg}, {@code /index.html}): {@code no-cache}.
 *   <li>Anything else is a client-side route ({@code /users}, {@code /sign-in}): {@code
 *       index.html} with {@code no-cache}, so a new release is picked up at the next navigation.
 *   <li>Without {@code index.html} on the classpath (a server built without the console), a JSON
 *       404 that says so.
 * </ul>
 *
 * <p>Every answer carries a strong ETag (a {@code If-None-Match} that names it gets 304) and the
 * security headers: a Content-Security-Policy that allows only the console's own scripts, styles,
 * images, fonts and API calls, and forbids framing, plugins and inline script; {@code
 * X-Content-Type-Options: nosniff}; {@code Referrer-Policy: same-origin}; {@code X-Frame-Options:
 * DENY} for browsers without {@code frame-ancestors}.
 *
 * <p>Files are read once and kept in memory (the console is a few hundred kilobytes); paths that
 * name no file are not remembered, so requests for random paths cost memory nothing. Only paths
 * made of plain segments ({@code [A-Za-z0-9_-]} and dots, not starting with a dot) are looked up,
 * which rules out {@code ..} and hidden files.
 *
 * <p>Thread-safe.
 */
final class ConsoleFiles implements Handler {
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
      + "form-action 'self'; frame-ancestors 'none'";
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  static final String NO_CACHE = "no-cache";
  static final String INDEX = "index.html";
  static final String ASSETS = "/assets/";

  private static final Logger log = LoggerFactory.getLogger(ConsoleFiles.class);
  private static final List<String> SERVER_PREFIXES = List.of("/api/", "/admin/", "/health", "/metrics");
  private static final List<String> SERVER_PATHS = List.of("/api", "/admin", "/openapi.json");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}");
  private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
      Map.entry("html", "text/html;charset=utf-8"),
      Map.entry("js", "text/javascript;charset=utf-8"),
      Map.entry("mjs", "text/javascript;charset=utf-8"),
      Map.entry("css", "text/css;charset=utf-8"),
      Map.entry("json", "application/json"),
      Map.entry("map", "application/json"),
      Map.entry("webmanifest", "application/manifest+json"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("gif", "image/gif"),
      Map.entry("webp", "image/webp"),
      Map.entry("avif", "image/avif"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("woff", "font/woff"),
      Map.entry("woff2", "font/woff2"),
      Map.entry("ttf", "font/ttf"),
      Map.entry("txt", "text/plain;charset=utf-8"),
      Map.entry("wasm", "application/wasm"));

  /** A file, read; its bytes are never changed. */
  private static final class File {
    private final byte[] bytes;
    private final String contentType;
    private final String etag;

    File(byte[] bytes, String contentType, String etag) {
      this.bytes = bytes;
      this.contentType = contentType;
      this.etag = etag;
    }

    byte[] bytes() {
      return bytes;
    }

    String contentType() {
      return contentType;
    }

    String etag() {
      return etag;
    }
  }

  private final ClassLoader loader;
  private final String root;
  private final Map<String, File> files = new ConcurrentHashMap<>();
  private final @Nullable File index;

  /**
   * Serves the files under {@code root} (a classpath folder such as {@code console}) of {@code
   * loader}.
   */
  ConsoleFiles(ClassLoader loader, String root) {
    this.loader = loader;
    this.root = root;
    this.index = file(INDEX);
    if (index == null) {
      log.atInfo().addKeyValue("classpath", root + "/" + INDEX)
          .log("the web console is not on the classpath: / answers 404; the API is unaffected");
    } else {
      log.atInfo().addKeyValue("classpath", root + "/").log("serving the web console at /");
    }
  }

  @Override
  public void handle(Context ctx) {
    String path = ctx.path();
    if (isServerPath(path)) {
      throw ApiError.notFound("no route " + ctx.method() + " " + path);
    }
    securityHeaders(ctx);
    File file = path.length() > 1 ? file(path.substring(1)) : null;
    if (file != null) {
      send(ctx, file, path.startsWith(ASSETS) ? IMMUTABLE : NO_CACHE);
      return;
    }
    if (path.startsWith(ASSETS)) {
      throw ApiError.notFound("no console asset " + path + "; it may belong to an older release: reload the page");
    }
    if (index == null) {
      throw ApiError.notFound("the web console is not part of this build (no " + root + "/" + INDEX
          + " on the classpath): build the server with the console module, or use the API under /api/v1");
    }
    send(ctx, index, NO_CACHE);
  }

  /** Whether {@code path} belongs to the server's own routes rather than to the console. */
  static boolean isServerPath(String path) {
    return SERVER_PATHS.contains(path) || SERVER_PREFIXES.stream().anyMatch(path::startsWith);
  }

  private static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("X-Frame-Options", "DENY");
  }

  private static void send(Context ctx, File file, String cacheControl) {
    ctx.header("Cache-Control", cacheControl);
    ctx.header("ETag", file.etag());
    if (Representations.matches(ctx.header("If-None-Match"), file.etag())) {
      ctx.status(304);
      return;
    }
    ctx.status(200).contentType(file.contentType()).result(file.bytes());
  }

  /** The file at {@code relative} (such as {@code assets/app-1a2b.js}), or null if there is none. */
  private @Nullable File file(String relative) {
    File cached = files.get(relative);
    if (cached != null) {
      return cached;
    }
    String[] segments = relative.split("/", -1);
    for (String segment : segments) {
      if (!SEGMENT.matcher(segment).matches()) {
        return null;
      }
    }
    URL url = loader.getResource(root + "/" + relative);
    if (url == null || isDirectory(url)) {
      return null;
    }
    File read = read(url, segments[segments.length - 1]);
    files.put(relative, read);
    return read;
  }

  private static File read(URL url, String name) {
    try (InputStream in = url.openStream()) {
      byte[] bytes = in.readAllBytes();
      int dot = name.lastIndexOf('.');
      String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      return new File(bytes, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"),
          Representations.strongEtag(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console file " + url, e);
    }
  }

  /** Whether a classpath resource is a folder (class loaders find folders too). */
  private static boolean isDirectory(URL url) {
    try {
      if (url.getProtocol().equals("file")) {
        return !Files.isRegularFile(Path.of(url.toURI()));
      }
      URLConnection connection = url.openConnection();
      if (connection instanceof JarURLConnection jar) {
        return jar.getJarEntry() == null || jar.getJarEntry().isDirectory();
      }
      return false;
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      return true; // not something to serve
    }
  }
}
