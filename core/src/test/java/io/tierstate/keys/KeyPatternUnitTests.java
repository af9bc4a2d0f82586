package io.tierstate.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyPatternUnitTests {
  @Test
  void starAndQuestionMarkMatchAsInRedis() {
    assertThat(KeyPattern.matches("ticket:*", "ticket:1")).isTrue();
    assertThat(KeyPattern.matches("ticket:*", "ticket:")).isTrue();
    assertThat(KeyPattern.matches("ticket:*", "tickets:1")).isFalse();
    assertThat(KeyPattern.matches("t?:*:x", "t1:a:b:x")).isTrue();
    assertThat(KeyPattern.matches("t?:*:x", "t12:a:x")).isFalse();
    assertThat(KeyPattern.matches("*", "")).isTrue();
    assertThat(KeyPattern.matches("a*b*c", "aXXbYYc")).isTrue();
    assertThat(KeyPattern.matches("a*b*c", "aXXbYY")).isFalse();
  }
}
