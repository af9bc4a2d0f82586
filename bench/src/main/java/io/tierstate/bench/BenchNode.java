package io.tierstate.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.tierstate.Tierstate;

/**
 * One Tierstate node and, beside it, a raw Lettuce connection to the same Redis: what a benchmark
 * needs to measure a Tierstate operation against its raw floor in the same run.
 *
 * <p>Thread-safe as its parts are; close it once.
 */
final class BenchNode implements AutoCloseable {
  private final BenchRedis redis;
  private final RedisClient client;
  final Tierstate tierstate;
  final RedisCommands<String, String> raw;

  BenchNode(String nodeId) {
    this.redis = BenchRedis.startOrConnect();
    this.tierstate = Tierstate.create(redis.tierstateConfig().nodeId(nodeId).build());
    this.client = RedisClient.create(redis.url());
    this.raw = client.connect().sync();
  }

  @Override
  public void close() {
    tierstate.close();
    client.shutdown();
    redis.close();
  }
}
