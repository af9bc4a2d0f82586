package io.tierstate.jcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tierstate.codec.CodecException;
import io.tierstate.codec.TypeRef;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DataTreeCodecUnitTests {
  private final DataTreeCodec codec = new DataTreeCodec();

  private Object roundTrip(Object value) {
    return codec.decode(codec.encode(value), TypeRef.of(Object.class));
  }

  @Test
  void leavesKeepTheirExactTypes() {
    Map<String, Object> entry = new HashMap<>();
    entry.put("_subclass", "shop.Product");
    entry.put("_version", null);
    entry.put("id", 7L);
    entry.put("count", 7);
    entry.put("price", new BigDecimal("9.90"));
    entry.put("ratio", 0.5d);
    entry.put("active", true);
    entry.put("at", Instant.parse("2026-12-02T12:00:00Z"));
    entry.put("ref", UUID.fromString("00000000-0000-0000-0000-000000000007"));
    entry.put("tags", Set.of("a"));
    entry.put("ids", Arrays.asList(1L, 2L));

    Object back = roundTrip(entry);

    assertThat(back).isEqualTo(entry);
    Map<?, ?> map = (Map<?, ?>) back;
    assertThat(map.get("id")).isInstanceOf(Long.class);
    assertThat(map.get("count")).isInstanceOf(Integer.class);
    assertThat(map.get("price")).isEqualTo(new BigDecimal("9.90"));
    assertThat((List<?>) map.get("ids")).allSatisfy(id -> assertThat(id).isInstanceOf(Long.class));
  }

  @Test
  void arraysComeBackAsObjectArrays() {
    Object back = roundTrip(new Object[] {1L, "x", null});
    assertThat((Object[]) back).containsExactly(1L, "x", null);
  }

  @Test
  void refusesWhatItCannotRepresent() {
    assertThatThrownBy(() -> codec.encode(new StringBuilder("x")))
        .isInstanceOf(CodecException.class).hasMessageContaining("java.lang.StringBuilder");
  }

  @Test
  void refusesBytesItDidNotWriteAndTypesItWasNotAskedFor() {
    assertThatThrownBy(() -> codec.decode("[\"java.lang.Runtime\", 1]".getBytes(StandardCharsets.UTF_8), TypeRef.of(Object.class)))
        .isInstanceOf(CodecException.class).hasMessageContaining("unknown tag");
    assertThatThrownBy(() -> codec.decode("{\"a\":1}".getBytes(StandardCharsets.UTF_8), TypeRef.of(Object.class)))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> codec.decode(codec.encode(1L), TypeRef.of(String.class)))
        .isInstanceOf(CodecException.class).hasMessageContaining("java.lang.Long");
  }
}
