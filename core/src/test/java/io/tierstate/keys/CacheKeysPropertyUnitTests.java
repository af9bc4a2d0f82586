package io.tierstate.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class CacheKeysPropertyUnitTests {

  private static final String RESERVED = "{}*?[]\\";

  @Property
  void everyValidKeyPassesUnchanged(@ForAll("validKeys") String key) {
    assertThat(CacheKeys.requireValidKey(key)).isSameAs(key);
    assertThat(CacheKeys.requireValidPattern(key)).isSameAs(key);
  }

  @Property
  void anyReservedCharacterIsRejectedAtItsIndex(
      @ForAll("validKeys") String key,
      @ForAll @IntRange(min = 0, max = 6) int which,
      @ForAll @IntRange(min = 0, max = 511) int at) {
    int index = Math.min(at, key.length());
    if (index > 0 && Character.isHighSurrogate(key.charAt(index - 1))) {
      index--;
    }
    char reserved = RESERVED.charAt(which);
    String bad = key.substring(0, index) + reserved + key.substring(index);
    Assume.that(bad.length() <= CacheKeys.MAX_KEY_LENGTH);
    assertThatThrownBy(() -> CacheKeys.requireValidKey(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contains reserved character '" + reserved + "' at index " + index);
    if (reserved != '*' && reserved != '?') {
      assertThatThrownBy(() -> CacheKeys.requireValidPattern(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Property
  void anyStringWithAReservedWhitespaceOrControlCharacterIsRejected(
      @ForAll String any, @ForAll("forbiddenChars") char forbidden, @ForAll int at) {
    int index = Math.floorMod(at, any.length() + 1);
    String bad = any.substring(0, index) + forbidden + any.substring(index);
    assertThatThrownBy(() -> CacheKeys.requireValidKey(bad))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CacheKeys.tenant(bad)).isInstanceOf(IllegalArgumentException.class);
  }

  @Provide
  Arbitrary<Character> forbiddenChars() {
    return Arbitraries.chars()
        .all()
        .filter(
            c ->
                RESERVED.indexOf(c) >= 0
                    || Character.isWhitespace(c)
                    || Character.isSpaceChar(c)
                    || Character.isISOControl(c))
        .edgeCases(edges -> edges.add(' '));
  }

  @Property
  void anyStringIsEitherReturnedUnchangedOrRejected(@ForAll String any) {
    try {
      assertThat(CacheKeys.requireValidKey(any)).isSameAs(any);
    } catch (IllegalArgumentException rejected) {
      assertThat(rejected.getMessage()).startsWith("key ");
    }
  }

  @Property
  void everyBuiltKeyIsAValidKey(
      @ForAll("segments") String tenant,
      @ForAll("segments") String user,
      @ForAll("segments") String type,
      @ForAll("segments") String id,
      @ForAll("filters") Map<String, Object> filters) {
    TenantKeys keys = CacheKeys.tenant(tenant);
    for (String key :
        List.of(
            keys.user(user).field(type),
            keys.entity(type, id),
            keys.list(type, filters),
            CacheKeys.global(type).part(id).key())) {
      assertThat(CacheKeys.requireValidKey(key)).isEqualTo(key);
    }
    assertThat(CacheKeys.requireValidPattern(keys.pattern())).isEqualTo(keys.pattern());
  }

  @Property
  void keysOfOneTenantNeverStartWithAnotherTenantsPrefix(
      @ForAll("tenantIds") String a,
      @ForAll("tenantIds") String b,
      @ForAll("segments") String user,
      @ForAll("segments") String type,
      @ForAll("segments") String id,
      @ForAll("filters") Map<String, Object> filters) {
    Assume.that(!a.equals(b));
    TenantKeys tenantA;
    TenantKeys tenantB;
    try {
      tenantA = CacheKeys.tenant(a);
      tenantB = CacheKeys.tenant(b);
    } catch (IllegalArgumentException invalidTenantId) {
      return; // refused ids build no keys at all
    }
    String otherPrefix = tenantB.prefix();
    assertThat(tenantA.user(user).field(type)).doesNotStartWith(otherPrefix);
    assertThat(tenantA.user(user).prefix()).doesNotStartWith(otherPrefix);
    assertThat(tenantA.entity(type, id)).doesNotStartWith(otherPrefix);
    assertThat(tenantA.list(type, filters)).doesNotStartWith(otherPrefix);
    assertThat(tenantA.prefix()).doesNotStartWith(otherPrefix);
  }

  @Property
  void listKeyIsStableUnderMapOrder(
      @ForAll("filters") Map<String, Object> filters, @ForAll long seed) {
    List<Map.Entry<String, Object>> entries = new ArrayList<>(filters.entrySet());
    Collections.shuffle(entries, new Random(seed));
    Map<String, Object> shuffled = new LinkedHashMap<>();
    entries.forEach(e -> shuffled.put(e.getKey(), e.getValue()));
    assertThat(CacheKeys.tenant(7).list("ticket", shuffled))
        .isEqualTo(CacheKeys.tenant(7).list("ticket", filters));
  }

  @Provide
  Arbitrary<String> validKeys() {
    return validChars()
        .list()
        .ofMinSize(1)
        .ofMaxSize(300)
        .map(CacheKeysPropertyUnitTests::join)
        .filter(s -> s.length() <= CacheKeys.MAX_KEY_LENGTH);
  }

  @Provide
  Arbitrary<String> segments() {
    return validChars()
        .filter(s -> !s.equals(":"))
        .list()
        .ofMinSize(1)
        .ofMaxSize(12)
        .map(CacheKeysPropertyUnitTests::join);
  }

  /** Tenant ids that are often prefixes of one another, or contain ':'. */
  @Provide
  Arbitrary<String> tenantIds() {
    return Arbitraries.strings().withChars("12:ab").ofMinLength(0).ofMaxLength(6);
  }

  @Provide
  Arbitrary<Map<String, Object>> filters() {
    Arbitrary<Object> values =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.strings().ofMaxLength(3).list().ofMaxSize(3).map(l -> (Object) l),
            Arbitraries.strings().ofMaxLength(3).set().ofMaxSize(3).map(s -> (Object) s));
    return Arbitraries.maps(segments(), values).ofMaxSize(5);
  }

  /** Single characters (as strings, to hold supplementary ones) that a key may contain. */
  private static Arbitrary<String> validChars() {
    return Arbitraries.oneOf(
        Arbitraries.chars()
            .range('!', '~')
            .filter(c -> RESERVED.indexOf(c) < 0)
            .map(String::valueOf),
        Arbitraries.of(":", "-", "_", ".", "é", "ß", "Ж", "中", "☕", "😀", "𝄞", "\u00AD"));
  }

  private static String join(List<String> parts) {
    return String.join("", parts);
  }
}
