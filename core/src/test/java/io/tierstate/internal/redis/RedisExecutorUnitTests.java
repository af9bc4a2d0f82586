package io.tierstate.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedisExecutorUnitTests {

  @Test
  void errorRepliesThatSayRedisCannotServeNowAreOutages() {
    assertThat(RedisExecutor.isUnavailableReply("LOADING Redis is loading the dataset in memory"))
        .isTrue();
    assertThat(RedisExecutor.isUnavailableReply("BUSY Redis is busy running a script")).isTrue();
    assertThat(RedisExecutor.isUnavailableReply("CLUSTERDOWN The cluster is down")).isTrue();
    assertThat(
            RedisExecutor.isUnavailableReply(
                "READONLY You can't write against a read only replica."))
        .isTrue();
    assertThat(
            RedisExecutor.isUnavailableReply(
                "OOM command not allowed when used memory > 'maxmemory'."))
        .isTrue();
    // Redirects Lettuce gave up following: the slot cannot be served now.
    assertThat(RedisExecutor.isUnavailableReply("MOVED 13307 127.0.0.1:37147")).isTrue();
    assertThat(RedisExecutor.isUnavailableReply("ASK 13307 127.0.0.1:37147")).isTrue();
  }

  @Test
  void errorRepliesAboutTheCommandOrTheDataAreNot() {
    assertThat(
            RedisExecutor.isUnavailableReply(
                "WRONGTYPE Operation against a key holding the wrong kind of value"))
        .isFalse();
    assertThat(
            RedisExecutor.isUnavailableReply(
                "ERR Error running script (call to f_x): user_script:1: oops"))
        .isFalse();
    assertThat(RedisExecutor.isUnavailableReply("BUSYKEY Target key name already exists."))
        .isFalse();
    assertThat(RedisExecutor.isUnavailableReply(null)).isFalse();
  }
}
