package io.tierstate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheOptionsUnitTests {
  private static final CacheOptions MINUTE = CacheOptions.ttl(Duration.ofMinutes(1));

  @Test
  void tagSetKeepsTheOrderGivenWithoutDuplicates() {
    // Enough tags that an unordered set would almost surely iterate in another order.
    String[] tags = new String[20];
    for (int i = 0; i < tags.length; i++) {
      tags[i] = "tag:" + (tags.length - i);
    }
    CacheOptions options = MINUTE.tags(tags);

    assertThat(options.tagSet()).containsExactly(tags);
    assertThat(MINUTE.tags("b", "a", "b", "c").tagSet()).containsExactly("b", "a", "c");
  }

  @Test
  void tagSetCannotBeChanged() {
    assertThatThrownBy(() -> MINUTE.tags("a").tagSet().add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
