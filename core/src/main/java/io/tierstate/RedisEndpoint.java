package io.tierstate;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where Redis is: one standalone server, a Sentinel-managed primary, or the seed nodes of a Redis
 * Cluster, as read from a URL such as {@code REDIS_URL}.
 *
 * <p>{@link #parse} accepts these forms (user info, password and master name may be
 * percent-encoded):
 *
 * <ul>
 *   <li>{@code redis://[[user:]password@]host[:port][/db]}, and {@code rediss://} for TLS: {@link
 *       Mode#STANDALONE}, default port 6379;
 *   <li>{@code redis-sentinel://[[user:]password@]host1[:port1][,host2[:port2]]...[/db]#masterId},
 *       and {@code rediss-sentinel://} for TLS: {@link Mode#SENTINEL}, default port 26379;
 *   <li>{@code redis-cluster://[[user:]password@]host1[:port1][,host2[:port2]]...}, and {@code
 *       rediss-cluster://} for TLS: {@link Mode#CLUSTER}, default port 6379, database 0 only.
 * </ul>
 *
 * <p>As in Lettuce, user info without a colon ({@code redis://secret@host}) is a password. IPv6
 * addresses go in brackets ({@code redis://[::1]:6379}). Query parameters are rejected rather than
 * silently ignored.
 *
 * <p>Each node carries the URL's credentials, database and TLS flag. In {@link Mode#SENTINEL} the
 * nodes are the Sentinels; the credentials and database are meant for the data nodes that the
 * Sentinels point to, which is how {@link #toRedisUris} applies them.
 *
 * <p>Instances are immutable and thread-safe. {@link RedisURI} is mutable, so the nodes are copied
 * on the way in and on the way out: changing a returned {@code RedisURI} never changes the
 * endpoint. {@link #toString()} prints the URL with the password replaced by {@code ****}.
 *
 * @param mode how the nodes are deployed
 * @param nodes the server for {@code STANDALONE}, the Sentinels for {@code SENTINEL}, the seed
 *     nodes for {@code CLUSTER}; never empty
 * @param sentinelMasterId the name of the monitored primary, required for {@code SENTINEL} and
 *     {@code null} otherwise
 * @param tls whether connections use TLS; every node agrees with it
 */
public record RedisEndpoint(
    Mode mode, List<RedisURI> nodes, @Nullable String sentinelMasterId, boolean tls) {

  /** How the Redis nodes are deployed, which decides the Lettuce client that talks to them. */
  public enum Mode {
    /** One server, reached with {@code RedisClient}. */
    STANDALONE,
    /** A primary found through Sentinels, reached with {@code RedisClient}. */
    SENTINEL,
    /** A Redis Cluster, reached with {@code RedisClusterClient} from its seed nodes. */
    CLUSTER
  }

  private static final int MAX_DATABASE = 15;
  private static final int DEFAULT_PORT = RedisURI.DEFAULT_REDIS_PORT;
  private static final int DEFAULT_SENTINEL_PORT = RedisURI.DEFAULT_SENTINEL_PORT;
  private static final String EXPECTED_SCHEMES =
      "redis://, rediss://, redis-sentinel://, rediss-sentinel://, redis-cluster:// or"
          + " rediss-cluster://";
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
  private static final Pattern DATABASE = Pattern.compile("[0-9]{1,2}");

  /**
   * Checks the components and copies the nodes.
   *
   * @throws NullPointerException if {@code mode}, {@code nodes} or a node is null
   * @throws IllegalArgumentException if {@code nodes} is empty; if a {@code STANDALONE} endpoint
   *     has more than one node; if {@code sentinelMasterId} is missing or blank for {@code
   *     SENTINEL}, or present for another mode; if a node has no host (a Unix socket), lists
   *     Sentinels of its own, disagrees with {@code tls}, or names a database outside 0 to 15; or
   *     if a {@code CLUSTER} node names a database other than 0
   */
  public RedisEndpoint {
    requireNonNull(mode, "mode");
    requireNonNull(nodes, "nodes");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("nodes must not be empty");
    }
    if (mode == Mode.STANDALONE && nodes.size() != 1) {
      throw new IllegalArgumentException(
          "a STANDALONE endpoint has exactly one node, but was given " + nodes.size());
    }
    if (mode == Mode.SENTINEL && (sentinelMasterId == null || sentinelMasterId.isBlank())) {
      throw new IllegalArgumentException("a SENTINEL endpoint needs a sentinelMasterId");
    }
    if (mode != Mode.SENTINEL && sentinelMasterId != null) {
      throw new IllegalArgumentException(
          "sentinelMasterId is only for SENTINEL endpoints, but mode was " + mode);
    }
    List<RedisURI> copies = new ArrayList<>(nodes.size());
    for (RedisURI node : nodes) {
      requireNonNull(node, "nodes must not contain null");
      if (node.getHost() == null || node.getHost().isEmpty()) {
        throw new IllegalArgumentException(
            "nodes must have a host and port (Unix sockets are not supported), but was " + node);
      }
      if (!node.getSentinels().isEmpty()) {
        throw new IllegalArgumentException(
            "nodes must be single hosts (list each Sentinel as a node), but was " + node);
      }
      if (node.isSsl() != tls) {
        throw new IllegalArgumentException(
            "node "
                + node
                + (node.isSsl() ? " uses" : " does not use")
                + " TLS, but tls was "
                + tls);
      }
      if (node.getDatabase() < 0 || node.getDatabase() > MAX_DATABASE) {
        throw new IllegalArgumentException(
            "node database must be from 0 to 15, but was " + node.getDatabase());
      }
      if (mode == Mode.CLUSTER && node.getDatabase() != 0) {
        throw new IllegalArgumentException(
            "a Redis Cluster only has database 0, but a node names database " + node.getDatabase());
      }
      copies.add(copy(node));
    }
    nodes = List.copyOf(copies);
  }

  /**
   * Parses a Redis URL in one of the forms listed in the class description.
   *
   * @param url the URL; surrounding white space is ignored
   * @return the endpoint
   * @throws NullPointerException if {@code url} is null
   * @throws IllegalArgumentException if the scheme is not one of the supported ones; if there is no
   *     host, a malformed host, or a port outside 1 to 65535; if a {@code redis://} URL names
   *     several hosts; if the database is not a number from 0 to 15, or not 0 for a cluster; if the
   *     Sentinel form has no master name after {@code '#'}, or another form has a {@code '#'}; if
   *     there is a query ({@code '?'}); or if a percent-escape is malformed. The message quotes the
   *     URL with its password masked.
   */
  public static RedisEndpoint parse(String url) {
    return parse(url, "url");
  }

  /** Parses {@code url}, naming it {@code name} (an option or environment variable) in errors. */
  static RedisEndpoint parse(String url, String name) {
    requireNonNull(url, name);
    return new Parser(url.strip(), name).parse();
  }

  /**
   * Returns copies of the nodes; changing them does not change this endpoint.
   *
   * @return a new immutable list of new {@code RedisURI}s, in URL order
   */
  @Override
  public List<RedisURI> nodes() {
    return nodes.stream().map(RedisEndpoint::copy).toList();
  }

  /**
   * The Lettuce URIs to connect with, with the settings of {@code config} applied: its username and
   * password ({@code REDIS_USERNAME}, {@code REDIS_PASSWORD}) when set, else the ones in this
   * endpoint's URL; its database ({@code REDIS_DB}) when set, else the URL's; and its {@link
   * TierstateConfig#commandTimeout() command timeout} as the URI timeout.
   *
   * <ul>
   *   <li>{@code STANDALONE}: one URI, for {@code RedisClient.create(uri)};
   *   <li>{@code SENTINEL}: one URI listing the Sentinels and the master id, for {@code
   *       RedisClient.create(uri)}; credentials and database apply to the data nodes, as in
   *       Lettuce's own {@code redis-sentinel://} parsing;
   *   <li>{@code CLUSTER}: one URI per seed node, for {@code RedisClusterClient.create(uris)}.
   * </ul>
   *
   * <p>Usually called as {@code config.redisEndpoint().toRedisUris(config)}.
   *
   * @param config the configuration whose credentials, database and timeout apply
   * @return a new immutable list of new URIs, which the caller may change
   * @throws NullPointerException if {@code config} is null
   * @throws IllegalArgumentException if this is a {@code CLUSTER} endpoint and {@code config} sets
   *     a database other than 0
   */
  public List<RedisURI> toRedisUris(TierstateConfig config) {
    requireNonNull(config, "config");
    RedisURI first = nodes.get(0);
    Integer databaseOverride = config.redisDatabaseOverride();
    int database = databaseOverride != null ? databaseOverride : first.getDatabase();
    if (mode == Mode.CLUSTER && database != 0) {
      throw new IllegalArgumentException(
          "redisDatabase must be 0 for a Redis Cluster (clusters only have database 0), but was "
              + database);
    }
    RedisCredentials fromUrl = credentials(first);
    String usernameOverride = config.redisUsernameOverride();
    String passwordOverride = config.redisPasswordOverride();
    String username = usernameOverride != null ? usernameOverride : usernameOf(fromUrl);
    String password = passwordOverride != null ? passwordOverride : passwordOf(fromUrl);
    Duration timeout = config.commandTimeout();

    if (mode == Mode.SENTINEL) {
      RedisURI.Builder builder = RedisURI.builder();
      for (RedisURI sentinel : nodes) {
        builder.withSentinel(
            RedisURI.Builder.redis(sentinel.getHost(), sentinel.getPort())
                .withSsl(tls)
                .withVerifyPeer(sentinel.getVerifyMode())
                .withTimeout(timeout)
                .build());
      }
      builder
          .withSentinelMasterId(requireNonNull(sentinelMasterId))
          .withSsl(tls)
          .withVerifyPeer(first.getVerifyMode())
          .withDatabase(database)
          .withTimeout(timeout);
      authenticate(builder, username, password);
      return List.of(builder.build());
    }
    List<RedisURI> uris = new ArrayList<>(nodes.size());
    for (RedisURI node : nodes) {
      RedisURI.Builder builder = RedisURI.builder(node).withDatabase(database).withTimeout(timeout);
      authenticate(builder, username, password);
      uris.add(builder.build());
    }
    return List.copyOf(uris);
  }

  /** The URL's username, if it has one. */
  @Nullable String urlUsername() {
    return usernameOf(credentials(nodes.get(0)));
  }

  /** The URL's password, if it has one. */
  @Nullable String urlPassword() {
    return passwordOf(credentials(nodes.get(0)));
  }

  /** The URL's database, 0 if it names none. */
  int urlDatabase() {
    return nodes.get(0).getDatabase();
  }

  /**
   * The endpoint as a URL in the form {@link #parse} reads, with the password replaced by {@code
   * ****}, for example {@code redis-sentinel://app:****@s1:26379,s2:26379/2#primary}.
   */
  @Override
  public String toString() {
    StringBuilder url = new StringBuilder(tls ? "rediss" : "redis");
    switch (mode) {
      case STANDALONE -> {}
      case SENTINEL -> url.append("-sentinel");
      case CLUSTER -> url.append("-cluster");
    }
    url.append("://");
    String username = urlUsername();
    boolean hasPassword = urlPassword() != null;
    if (username != null) {
      url.append(username).append(hasPassword ? ":****@" : ":@");
    } else if (hasPassword) {
      url.append("****@");
    }
    String separator = "";
    for (RedisURI node : nodes) {
      String host = node.getHost();
      url.append(separator)
          .append(host.indexOf(':') >= 0 ? "[" + host + "]" : host)
          .append(':')
          .append(node.getPort());
      separator = ",";
    }
    if (urlDatabase() != 0) {
      url.append('/').append(urlDatabase());
    }
    if (sentinelMasterId != null) {
      url.append('#').append(sentinelMasterId);
    }
    return url.toString();
  }

  /**
   * {@code url} with everything that could be a password replaced by {@code ****}: the user info
   * after its first colon, or the whole user info when it has no colon. Conservative on purpose: it
   * masks up to the last {@code '@'}, so malformed URLs do not leak either.
   */
  static String mask(String url) {
    int at = url.lastIndexOf('@');
    if (at < 0) {
      return url;
    }
    int schemeEnd = url.indexOf("://");
    int start = schemeEnd >= 0 && schemeEnd < at ? schemeEnd + 3 : 0;
    int colon = url.indexOf(':', start);
    String user = colon >= 0 && colon < at ? url.substring(start, colon) + ":" : "";
    return url.substring(0, start) + user + "****" + url.substring(at);
  }

  private static RedisURI copy(RedisURI node) {
    return RedisURI.builder(node).build();
  }

  /** The node's credentials, or null if it has none or they come from a non-static provider. */
  private static @Nullable RedisCredentials credentials(RedisURI node) {
    // A streaming or asynchronous provider is left to Lettuce: it is kept on the copies.
    if (node.getCredentialsProvider()
        instanceof RedisCredentialsProvider.ImmediateRedisCredentialsProvider immediate) {
      return immediate.resolveCredentialsNow();
    }
    return null;
  }

  private static @Nullable String usernameOf(@Nullable RedisCredentials credentials) {
    return credentials != null && credentials.hasUsername() ? credentials.getUsername() : null;
  }

  private static @Nullable String passwordOf(@Nullable RedisCredentials credentials) {
    return credentials != null && credentials.hasPassword()
        ? new String(credentials.getPassword())
        : null;
  }

  private static void authenticate(
      RedisURI.Builder builder, @Nullable String username, @Nullable String password) {
    if (password == null) {
      return; // keep whatever the node carries
    }
    if (username != null) {
      builder.withAuthentication(username, (CharSequence) password);
    } else {
      builder.withPassword((CharSequence) password);
    }
  }

  /** One parse of one URL; the fields keep the error messages short. */
  private static final class Parser {
    private final String url;
    private final String name;
    private final String shown;

    Parser(String url, String name) {
      this.url = url;
      this.name = name;
      this.shown = "'" + mask(url) + "'";
    }

    RedisEndpoint parse() {
      int schemeEnd = url.indexOf("://");
      if (schemeEnd <= 0) {
        throw invalidScheme();
      }
      String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      Mode mode;
      boolean tls;
      switch (scheme) {
        case "redis" -> {
          mode = Mode.STANDALONE;
          tls = false;
        }
        case "rediss" -> {
          mode = Mode.STANDALONE;
          tls = true;
        }
        case "redis-sentinel" -> {
          mode = Mode.SENTINEL;
          tls = false;
        }
        case "rediss-sentinel" -> {
          mode = Mode.SENTINEL;
          tls = true;
        }
        case "redis-cluster" -> {
          mode = Mode.CLUSTER;
          tls = false;
        }
        case "rediss-cluster" -> {
          mode = Mode.CLUSTER;
          tls = true;
        }
        default -> throw invalidScheme();
      }

      // The user info ends at the last '@', so that an unescaped '/', '#' or '@' in a password
      // still parses (and is still masked).
      String rest = url.substring(schemeEnd + 3);
      String userInfo = null;
      int at = rest.lastIndexOf('@');
      if (at >= 0) {
        userInfo = rest.substring(0, at);
        rest = rest.substring(at + 1);
      }

      String fragment = null;
      int hash = rest.indexOf('#');
      if (hash >= 0) {
        fragment = rest.substring(hash + 1);
        rest = rest.substring(0, hash);
      }
      if (rest.indexOf('?') >= 0) {
        throw error(
            " has a query ('?...'), which Tierstate does not read: "
                + shown
                + " (put the database in the path, e.g. /3, and the Sentinel master after '#')");
      }
      String path = null;
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        path = rest.substring(slash + 1);
        rest = rest.substring(0, slash);
      }

      String username = null;
      String password = null;
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        if (colon >= 0) {
          username = emptyToNull(decode(userInfo.substring(0, colon), "user info"));
          password = emptyToNull(decode(userInfo.substring(colon + 1), "user info"));
        } else {
          password = emptyToNull(decode(userInfo, "user info"));
        }
      }

      int database = 0;
      if (path != null && !path.isEmpty()) {
        if (!DATABASE.matcher(path).matches() || Integer.parseInt(path) > MAX_DATABASE) {
          throw error(" has an invalid database '" + path + "' (expected 0 to 15): " + shown);
        }
        database = Integer.parseInt(path);
        if (mode == Mode.CLUSTER && database != 0) {
          throw error(
              " names database "
                  + database
                  + ", but a Redis Cluster only has database 0: "
                  + shown);
        }
      }

      String masterId = null;
      if (mode == Mode.SENTINEL) {
        masterId = fragment == null ? null : emptyToNull(decode(fragment, "master name"));
        if (masterId == null || masterId.isBlank()) {
          throw error(" sentinel form needs the master name after '#': " + shown);
        }
      } else if (fragment != null) {
        throw error(
            " has a '#' fragment, which only the Sentinel form"
                + " (redis-sentinel://host:26379#master) takes: "
                + shown);
      }

      List<String> hosts = splitHosts(rest);
      if (mode == Mode.STANDALONE && hosts.size() > 1) {
        throw error(
            " names "
                + hosts.size()
                + " hosts, but "
                + scheme
                + ":// takes one (use "
                + (tls ? "rediss" : "redis")
                + "-sentinel:// or "
                + (tls ? "rediss" : "redis")
                + "-cluster:// for several): "
                + shown);
      }
      int defaultPort = mode == Mode.SENTINEL ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT;
      List<RedisURI> nodes = new ArrayList<>(hosts.size());
      for (String hostAndPort : hosts) {
        RedisURI.Builder node = node(hostAndPort, defaultPort).withSsl(tls).withDatabase(database);
        if (password != null) {
          if (username != null) {
            node.withAuthentication(username, (CharSequence) password);
          } else {
            node.withPassword((CharSequence) password);
          }
        }
        nodes.add(node.build());
      }
      return new RedisEndpoint(mode, nodes, masterId, tls);
    }

    private List<String> splitHosts(String hosts) {
      if (hosts.isEmpty()) {
        throw error(" has no host: " + shown + " (expected e.g. redis://localhost:6379)");
      }
      List<String> parts = new ArrayList<>();
      int start = 0;
      while (true) {
        int comma = hosts.indexOf(',', start);
        String part = comma < 0 ? hosts.substring(start) : hosts.substring(start, comma);
        if (part.isEmpty()) {
          throw error(" has an empty host in its host list: " + shown);
        }
        parts.add(part);
        if (comma < 0) {
          return parts;
        }
        start = comma + 1;
      }
    }

    private RedisURI.Builder node(String hostAndPort, int defaultPort) {
      String host;
      String port = null;
      if (hostAndPort.startsWith("[")) {
        int close = hostAndPort.indexOf(']');
        if (close < 0) {
          throw error(" has an invalid host '" + hostAndPort + "' (no closing ']'): " + shown);
        }
        host = hostAndPort.substring(1, close);
        String after = hostAndPort.substring(close + 1);
        if (!after.isEmpty()) {
          if (!after.startsWith(":")) {
            throw error(" has an invalid host '" + hostAndPort + "': " + shown);
          }
          port = after.substring(1);
        }
        if (!IPV6.matcher(host).matches()) {
          throw error(" has an invalid IPv6 address '" + host + "': " + shown);
        }
      } else {
        int colon = hostAndPort.indexOf(':');
        if (colon >= 0 && hostAndPort.indexOf(':', colon + 1) >= 0) {
          throw error(
              " has an invalid host '"
                  + hostAndPort
                  + "' (put IPv6 addresses in brackets, e.g. [::1]:6379): "
                  + shown);
        }
        host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
        port = colon < 0 ? null : hostAndPort.substring(colon + 1);
        if (host.isEmpty()) {
          throw error(" has no host before ':" + port + "': " + shown);
        }
        if (!HOST_NAME.matcher(host).matches()) {
          throw error(" has an invalid host '" + host + "': " + shown);
        }
      }
      int portNumber = defaultPort;
      if (port != null) {
        if (!PORT.matcher(port).matches()
            || Integer.parseInt(port) < 1
            || Integer.parseInt(port) > 65_535) {
          throw error(" has an invalid port '" + port + "' (expected 1 to 65535): " + shown);
        }
        portNumber = Integer.parseInt(port);
      }
      return RedisURI.Builder.redis(host, portNumber);
    }

    /** Decodes %XX escapes as UTF-8; the text itself is never echoed, it may be a password. */
    private String decode(String text, String part) {
      if (text.indexOf('%') < 0) {
        return text;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
      int i = 0;
      while (i < text.length()) {
        int percent = text.indexOf('%', i);
        if (percent < 0) {
          percent = text.length();
        }
        byte[] plain = text.substring(i, percent).getBytes(StandardCharsets.UTF_8);
        bytes.write(plain, 0, plain.length);
        if (percent == text.length()) {
          break;
        }
        int high = percent + 2 < text.length() ? Character.digit(text.charAt(percent + 1), 16) : -1;
        int low = percent + 2 < text.length() ? Character.digit(text.charAt(percent + 2), 16) : -1;
        if (high < 0 || low < 0) {
          throw error(
              " has a malformed %-escape in its "
                  + part
                  + " (expected '%' and two hex digits): "
                  + shown);
        }
        bytes.write(high * 16 + low);
        i = percent + 3;
      }
      return bytes.toString(StandardCharsets.UTF_8);
    }

    private IllegalArgumentException invalidScheme() {
      return error(" is not a valid Redis URL: " + shown + " (expected " + EXPECTED_SCHEMES + ")");
    }

    private IllegalArgumentException error(String message) {
      return new IllegalArgumentException(name + message);
    }

    private static @Nullable String emptyToNull(String text) {
      return text.isEmpty() ? null : text;
    }
  }
}
