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

  @Test
  void aRegionIsStoredAsATagAfterTheGivenOnesAndStaysOutOfTagSet() {
    CacheOptions options = MINUTE.tags("user:7").region("users");

    assertThat(options.regionOrNull()).isEqualTo("users");
    assertThat(options.tagArray()).containsExactly("user:7", "region:users");
    assertThat(options.tagSet()).containsExactly("user:7");
    assertThat(options.tags("user:8").tagArray())
        .as("tags set after the region keep it")
        .containsExactly("user:8", "region:users");
    assertThat(MINUTE.tagArray()).isEmpty();
  }

  @Test
  void aRegionNameIsOneToSixtyFourSafeCharacters() {
    assertThat(MINUTE.region("a").regionOrNull()).isEqualTo("a");
    assertThat(MINUTE.region("reference.data_v2-EU").regionOrNull())
        .isEqualTo("reference.data_v2-EU");
    assertThat(MINUTE.region("r".repeat(64)).regionOrNull()).hasSize(64);

    assertThatThrownBy(() -> MINUTE.region(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("region must not be empty");
    assertThatThrownBy(() -> MINUTE.region(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("region must not be null");
    assertThatThrownBy(() -> MINUTE.region("r".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("region")
        .hasMessageContaining("64");
    assertThatThrownBy(() -> MINUTE.region("user data"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'user data'")
        .hasMessageContaining("at index 4")
        .hasMessageContaining("a-z A-Z 0-9 . _ -");
    assertThatThrownBy(() -> MINUTE.region("tenant:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at index 6");
    assertThatThrownBy(() -> MINUTE.region("r\u00e9gion"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at index 1");
  }
}
