package io.tierstate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tierstate.Tierstate;
import io.tierstate.TierstateConfig;
import io.tierstate.audit.AuditOptions;
import io.tierstate.postgres.ChangeStream;
import io.tierstate.server.api.OpenApiFeature;
import io.tierstate.server.auth.AccessTokens;
import io.tierstate.server.auth.AuthFeature;
import io.tierstate.server.cdc.ServerChangeStream;
import io.tierstate.server.dashboard.DashboardFeature;
import io.tierstate.server.auth.PasswordHasher;
import io.tierstate.server.console.ConsoleFeature;
import io.tierstate.server.db.Database;
import io.tierstate.server.demo.DemoData;
import io.tierstate.server.http.ApiRateLimiting;
import io.tierstate.server.http.ClientAddress;
import io.tierstate.server.http.CrossOrigin;
import io.tierstate.server.http.HttpErrors;
import io.tierstate.server.http.JettyErrors;
import io.tierstate.server.http.JsonBodies;
import io.tierstate.server.http.OriginCheck;
import io.tierstate.server.http.RequestIds;
import io.tierstate.server.http.RequestMetrics;
import io.tierstate.server.http.RouteTable;
import io.tierstate.server.http.ServerTiming;
import io.tierstate.server.http.TextInput;
import io.tierstate.server.ops.OpsFeature;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service, wired: PostgreSQL (migrated), Tierstate, the HTTP stack (Javalin on Jetty with
 * virtual threads) and the features. Start one per process from {@link Main}, or several in one
 * JVM in tests, each on its own port, sharing one PostgreSQL and one Redis:
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.fromEnv(Map.of("PORT", "0", "DATABASE_URL", pg.jdbcUrl("app"),
 *     "JWT_SECRET", secret));
 * try (TierstateServer a = TierstateServer.start(config, TierstateConfig.fromEnv(Map.of("REDIS_URL", redis.uri())))) {
 *   HttpRequest.newBuilder(URI.create(a.baseUrl() + "/health"))...
 * }
 * }</pre>
 *
 * <p><b>Adding a feature.</b> Write a {@link Feature} in its own package and add it to {@link
 * #features}; the filters (CSRF origin check, API rate limit, authentication) and the JSON error
 * mapping apply to its routes with no further wiring.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class TierstateServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TierstateServer.class);

  private final Javalin app;
  private final Tierstate tierstate;
  private final Database database;
  private final PrometheusMeterRegistry meters;
  private final List<AutoCloseable> binders;
  private final RouteTable routes;
  private final @Nullable ChangeStream changeStream;
  private boolean closed;

  private TierstateServer(Javalin app, Tierstate tierstate, Database database, PrometheusMeterRegistry meters,
      List<AutoCloseable> binders, RouteTable routes, @Nullable ChangeStream changeStream) {
    this.routes = routes;
    this.changeStream = changeStream;
    this.app = app;
    this.tierstate = tierstate;
    this.database = database;
    this.meters = meters;
    this.binders = binders;
  }

  /** The features, in registration order: auth first, since its filter guards the others' routes. */
  private static List<Feature> features(PasswordHasher hasher) {
    return List.of(new AuthFeature(hasher), new OpsFeature(), new DashboardFeature(), new DataFeatures(hasher),
        new OpenApiFeature());
  }

  /**
   * Every feature in registration order: the built-in ones, the extra ones, and the console last,
   * because its catch-all route must not shadow any other (Javalin tries routes in the order they
   * were added). A {@link ConsoleFeature} among the extra features replaces the default one.
   */
  private static List<Feature> registrationOrder(PasswordHasher hasher, List<Feature> extraFeatures) {
    List<Feature> ordered = new ArrayList<>(features(hasher));
    Feature console = new ConsoleFeature(ConsoleFeature.CLASSPATH_ROOT);
    for (Feature feature : extraFeatures) {
      if (feature instanceof ConsoleFeature own) {
        console = own;
      } else {
        ordered.add(feature);
      }
    }
    ordered.add(console);
    return ordered;
  }

  /**
   * Connects to PostgreSQL (migrating the schema) and Redis, loads the demo data if configured,
   * and starts listening.
   *
   * @param config the server configuration; its database URL must be set
   * @param tierstateConfig the Tierstate (Redis) configuration; its meter registry is replaced by
   *     the server's Prometheus registry
   * @throws IllegalArgumentException if the database URL is not set
   * @throws RuntimeException if PostgreSQL cannot be migrated or the port cannot be bound;
   *     everything started so far is closed
   */
  public static TierstateServer start(ServerConfig config, TierstateConfig tierstateConfig) {
    return start(config, tierstateConfig, List.of());
  }

  /**
   * Like {@link #start(ServerConfig, TierstateConfig)}, with more features registered after the
   * built-in ones: for tests that need routes of their own, and for embedding the server. A
   * {@link ConsoleFeature} among them replaces the default one (which serves the classpath folder
   * {@value ConsoleFeature#CLASSPATH_ROOT}), and is registered last like it.
   */
  public static TierstateServer start(ServerConfig config, TierstateConfig tierstateConfig,
      List<Feature> extraFeatures) {
    if (config.auth().jwtSecretGenerated()) {
      log.warn("JWT_SECRET is not set: using a random key, so sessions end on restart and instances "
          + "cannot verify each other's tokens; set JWT_SECRET to at least 32 random bytes");
    }
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JvmGcMetrics gc = new JvmGcMetrics();
    List<AutoCloseable> binders = List.of(gc);
    new ClassLoaderMetrics().bindTo(meters);
    new JvmMemoryMetrics().bindTo(meters);
    gc.bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);

    Database database = null;
    Tierstate tierstate = null;
    Javalin app = null;
    ChangeStream changeStream = null;
    try {
      database = Database.connect(config.database(), meters);
      PasswordHasher hasher = new PasswordHasher();
      if (config.demo()) {
        DemoData.load(database, hasher);
      }
      tierstate = Tierstate.create(tierstateConfig.toBuilder().meterRegistry(meters).build());
      ObjectMapper json = JsonBodies.newMapper();
      ClientAddress clientAddress = new ClientAddress(config.http().trustForwardedFor());
      ServerContext context = new ServerContext(config, database, tierstate, meters, json, clientAddress);

      RouteTable routes = new RouteTable();
      app = Javalin.create(javalin -> {
        javalin.events.handlerAdded(routes::add);
        javalin.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JettyErrors()));
        // Platform threads answered ~0.1 ms sooner at the median (one hand-off less), but an open event
        // stream holds its thread: on a pool they would run out (docs/benchmarks.md, the dashboard).
        javalin.useVirtualThreads = true;
        javalin.showJavalinBanner = false;
        javalin.http.maxRequestSize = config.http().maxRequestBytes();
        javalin.requestLogger.http(new RequestMetrics(meters));
        JsonBodies.install(javalin, json);
      });
      HttpErrors.register(app, routes);
      if (config.http().serverTiming()) {
        app.before(ServerTiming.start());
      }
      app.before(new RequestIds());
      app.before(new TextInput());
      app.before(new CrossOrigin(config.http().allowedOrigins()));
      app.before(new OriginCheck(config.http().allowedOrigins()));
      AccessTokens tokens = new AccessTokens(config.auth());
      app.before("/api/*", ServerTiming.phase("ratelimit", new ApiRateLimiting(tierstate.rateLimiter(),
          config.rateLimits().apiLimit(), config.rateLimits().apiWindow(), clientAddress, tokens::userIdOf)));
      if (config.auditRate() > 0) {
        // The features register their verifiers (users, access) as they are set up.
        tierstate.audit().options(AuditOptions.defaults().samplesPerSecond(config.auditRate()));
      }
      for (Feature feature : registrationOrder(hasher, extraFeatures)) {
        feature.register(app, context);
      }
      if (config.http().serverTiming()) {
        app.after(ServerTiming.finish()); // last: after every feature's own after-handlers
      }
      // Writes made outside the server (psql, migrations) invalidate too: SERVER_CDC.
      changeStream = ServerChangeStream.start(config, database, tierstate);
      app.start(config.http().port());
      TierstateServer server = new TierstateServer(app, tierstate, database, meters, binders, routes, changeStream);
      log.atInfo().addKeyValue("port", server.port()).addKeyValue("node", tierstate.nodeId())
          .log("tierstate-server listening");
      return server;
    } catch (RuntimeException e) {
      if (app != null) {
        app.stop();
      }
      closeQuietly(changeStream);
      closeQuietly(tierstate);
      closeQuietly(database);
      closeQuietly(gc);
      meters.close();
      throw e;
    }
  }

  /** The port the server listens on. */
  public int port() {
    return app.port();
  }

  /** The server's base URL on the loopback interface, such as {@code http://127.0.0.1:8080}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Every route registered, as {@code "METHOD /path/{param}"} (the console's catch-all aside), sorted. */
  public java.util.Set<String> routes() {
    return routes.all();
  }

  /** The Tierstate instance. */
  public Tierstate tierstate() {
    return tierstate;
  }

  /** The change stream, when {@code SERVER_CDC} turned it on. */
  public @Nullable ChangeStream changeStream() {
    return changeStream;
  }

  /** The database. */
  public Database database() {
    return database;
  }

  /**
   * Shuts down in dependency order: stops accepting requests and finishes the running ones
   * (Javalin), then Tierstate, then the connection pool. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    app.stop();
    closeQuietly(changeStream);
    closeQuietly(tierstate);
    closeQuietly(database);
    binders.forEach(TierstateServer::closeQuietly);
    meters.close();
    log.info("tierstate-server stopped");
  }

  private static void closeQuietly(@Nullable AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      log.atWarn().setCause(e).log("error while closing {}", closeable.getClass().getSimpleName());
    }
  }
}
