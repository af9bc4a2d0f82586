package io.tierstate.server.ops;

import io.javalin.Javalin;
import io.tierstate.metrics.HealthCheck;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.db.Database;
import io.tierstate.server.http.Access;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Registers the operations endpoints and the {@code database} health check. Health and metrics
 * are public (keep them off the public internet with the reverse proxy); the dashboard, the key
 * inspector and invalidation need the {@code cache:admin} permission (the caller's tenant) or a
 * platform administrator (any key).
 */
public final class OpsFeature implements Feature {
  /** The name of the PostgreSQL check in the health report. */
  public static final String DATABASE_CHECK = "database";

  private static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(1);

  @Override
  public void register(Javalin app, ServerContext context) {
    Database database = context.database();
    context.tierstate().metrics().registerCheck(DATABASE_CHECK, () -> databaseCheck(database));
    OpsHandlers handlers = new OpsHandlers(context.tierstate());
    app.get("/health", handlers::health, Access.PUBLIC);
    app.get("/health/cache", handlers::cacheHealth, Access.PUBLIC);
    app.get("/metrics", handlers::prometheus, Access.PUBLIC);
    app.get("/metrics/cache", handlers::cacheMetrics, Access.PUBLIC);
    app.get("/admin/cache-dashboard", handlers::dashboard);
    app.post("/admin/cache/invalidate", handlers::invalidate);
    app.get("/admin/cache/inspect", handlers::inspect);
  }

  /** A query round trip within a second; a dead or hung database never blocks the report. */
  private static HealthCheck.Result databaseCheck(Database database) {
    long start = System.nanoTime();
    CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(
        () -> database.isReachable(DATABASE_TIMEOUT), Thread::startVirtualThread);
    try {
      boolean reachable = probe.get(DATABASE_TIMEOUT.toMillis() + 200, TimeUnit.MILLISECONDS);
      double millis = (System.nanoTime() - start) / 1e6;
      return reachable
          ? HealthCheck.Result.healthy("PostgreSQL answered").withDetail("latencyMillis", millis)
          : HealthCheck.Result.unhealthy("PostgreSQL unreachable");
    } catch (TimeoutException e) {
      return HealthCheck.Result.unhealthy("PostgreSQL did not answer within " + DATABASE_TIMEOUT.toMillis() + " ms");
    } catch (ExecutionException e) {
      return HealthCheck.Result.unhealthy("PostgreSQL check failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return HealthCheck.Result.unhealthy("interrupted");
    }
  }
}
