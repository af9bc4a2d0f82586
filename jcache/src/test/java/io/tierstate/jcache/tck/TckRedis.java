package io.tierstate.jcache.tck;

import io.tierstate.testkit.RedisServer;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts the real Redis that the JCache TCK runs against, once for the whole test run, and points
 * the provider at it through the system properties it reads ({@code REDIS_URL}...). The TCK's
 * JUnit 4 classes come from its test jar and cannot start anything themselves. Only in the run
 * that holds the TCK (failsafe sets {@code tierstate.tck}): the unit tests start no server.
 */
public final class TckRedis implements LauncherSessionListener {
  private RedisServer redis;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    if (!Boolean.getBoolean("tierstate.tck")) {
      return;
    }
    redis = RedisServer.start();
    System.setProperty("REDIS_URL", redis.uri());
    System.setProperty("REDIS_REQUIRED", "true");
    // The TCK stores its own domain classes in caches typed Object.
    System.setProperty("TIERSTATE_JCACHE_ALLOWED_TYPES", "domain.*,org.jsr107.tck.*");
    System.setProperty("TIERSTATE_JCACHE_CODEC", TckCodec.class.getName());
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (redis != null) {
      redis.close();
    }
  }
}
