package io.tierstate.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CacheKeysUnitTests {

  // --- validation ---

  @Test
  void acceptsTypicalKeysAndReturnsThemUnchanged() {
    for (String key :
        List.of("greeting", "ticket:42", "user:1:profile", "a", "café:☕", "emoji:😀")) {
      assertThat(CacheKeys.requireValidKey(key)).isSameAs(key);
    }
  }

  @Test
  void namesTheWhitespaceAndItsIndex() {
    assertThatThrownBy(() -> CacheKeys.requireValidKey("a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 'a b' contains whitespace at index 1");
  }

  @Test
  void escapesInvisibleCharactersInTheMessage() {
    assertThatThrownBy(() -> CacheKeys.requireValidKey("a\tb"))
        .hasMessage("key 'a\\u0009b' contains whitespace at index 1");
    assertThatThrownBy(() -> CacheKeys.requireValidKey("ab\u00A0"))
        .hasMessage("key 'ab\\u00A0' contains whitespace at index 2");
    assertThatThrownBy(() -> CacheKeys.requireValidKey("a\u0000b"))
        .hasMessage("key 'a\\u0000b' contains control character U+0000 at index 1");
    assertThatThrownBy(() -> CacheKeys.requireValidKey("x\u0085"))
        .hasMessage("key 'x\\u0085' contains control character U+0085 at index 1");
    assertThatThrownBy(() -> CacheKeys.requireValidKey("x\u0090"))
        .hasMessage("key 'x\\u0090' contains control character U+0090 at index 1");
  }

  @Test
  void rejectsUnpairedSurrogatesWhichUtf8WouldTurnIntoTheSameKey() {
    assertThatThrownBy(() -> CacheKeys.requireValidKey("a\uD800"))
        .hasMessage("key 'a\\uD800' contains unpaired surrogate U+D800 at index 1");
    assertThatThrownBy(() -> CacheKeys.requireValidKey("\uDC00a"))
        .hasMessage("key '\\uDC00a' contains unpaired surrogate U+DC00 at index 0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "?", "[", "]", "\\"})
  void rejectsGlobCharactersInKeys(String glob) {
    assertThatThrownBy(() -> CacheKeys.requireValidKey("ab" + glob))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "key 'ab"
                + glob
                + "' contains reserved character '"
                + glob
                + "' at index 2; glob characters are reserved for invalidation patterns");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "}"})
  void rejectsBracesWhichAreReservedForHashTags(String brace) {
    assertThatThrownBy(() -> CacheKeys.requireValidKey("user" + brace + "1"))
        .hasMessage(
            "key 'user"
                + brace
                + "1' contains reserved character '"
                + brace
                + "' at index 4; braces are reserved for the Redis Cluster hash tags that"
                + " Tierstate adds");
  }

  @Test
  void rejectsNullAndEmpty() {
    assertThatThrownBy(() -> CacheKeys.requireValidKey(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key must not be null");
    assertThatThrownBy(() -> CacheKeys.requireValidKey(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key must not be empty");
  }

  @Test
  void acceptsTheMaximumLengthAndTruncatesALongerKeyInTheMessage() {
    assertThat(CacheKeys.requireValidKey("k".repeat(CacheKeys.MAX_KEY_LENGTH))).hasSize(512);
    assertThatThrownBy(() -> CacheKeys.requireValidKey("k".repeat(513)))
        .hasMessage(
            "key '" + "k".repeat(80) + "...' is 513 characters long, more than the maximum of 512");
  }

  @Test
  void doesNotCutASurrogatePairWhenTruncating() {
    String key = "k".repeat(79) + "😀" + " ".repeat(10);
    assertThatThrownBy(() -> CacheKeys.requireValidKey(key))
        .hasMessage("key '" + "k".repeat(79) + "...' contains whitespace at index 81");
  }

  @Test
  void patternsAllowStarAndQuestionMarkOnly() {
    assertThat(CacheKeys.requireValidPattern("ticket:*")).isEqualTo("ticket:*");
    assertThat(CacheKeys.requireValidPattern("user:?:profile")).isEqualTo("user:?:profile");
    assertThatThrownBy(() -> CacheKeys.requireValidPattern("user:[12]"))
        .hasMessage(
            "pattern 'user:[12]' contains reserved character '[' at index 5; patterns support only"
                + " the glob characters * and ?");
    assertThatThrownBy(() -> CacheKeys.requireValidPattern("{user}:*"))
        .hasMessageStartingWith("pattern '{user}:*' contains reserved character '{' at index 0");
    assertThatThrownBy(() -> CacheKeys.requireValidPattern(""))
        .hasMessage("pattern must not be empty");
    assertThatThrownBy(() -> CacheKeys.requireValidPattern("a *"))
        .hasMessage("pattern 'a *' contains whitespace at index 1");
  }

  @Test
  void tagsFollowKeyRulesWithAShorterMaximum() {
    assertThat(CacheKeys.requireValidTag("t".repeat(CacheKeys.MAX_TAG_LENGTH))).hasSize(256);
    assertThatThrownBy(() -> CacheKeys.requireValidTag("t".repeat(257)))
        .hasMessageEndingWith("is 257 characters long, more than the maximum of 256");
    assertThatThrownBy(() -> CacheKeys.requireValidTag("tickets*"))
        .hasMessageStartingWith("tag 'tickets*' contains reserved character '*' at index 7");
  }

  // --- builders ---

  @Test
  void buildsTheDocumentedKeys() {
    assertThat(CacheKeys.tenant(42).user("u1").field("permissions"))
        .isEqualTo("tenant:42:user:u1:permissions");
    assertThat(CacheKeys.tenant(42).entity("ticket", 7)).isEqualTo("tenant:42:ticket:7");
    assertThat(CacheKeys.tenant(42).list("ticket", Map.of("status", "open")))
        .matches("tenant:42:ticket:list:[0-9a-f]{16}");
    assertThat(CacheKeys.tenant(42).prefix()).isEqualTo("tenant:42:");
    assertThat(CacheKeys.tenant(42).pattern()).isEqualTo("tenant:42:*");
    assertThat(CacheKeys.tenant(42).user("u1").pattern()).isEqualTo("tenant:42:user:u1:*");
    assertThat(CacheKeys.global("countries").part("en-GB").key())
        .isEqualTo("cache:global:countries:en-GB");
    assertThat(CacheKeys.global("countries").pattern()).isEqualTo("cache:global:countries:*");
  }

  @Test
  void aTenantIdIsItsStringForm() {
    assertThat(CacheKeys.tenant(42))
        .isEqualTo(CacheKeys.tenant("42"))
        .isEqualTo(CacheKeys.tenant(42L));
  }

  @Test
  void refusesASegmentThatCouldForgeAnotherTenantsKey() {
    assertThatThrownBy(() -> CacheKeys.tenant("1:x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tenant id '1:x' must not contain ':'");
    assertThatThrownBy(() -> CacheKeys.tenant(1).user("2:permissions"))
        .hasMessage("user id '2:permissions' must not contain ':'");
    assertThatThrownBy(() -> CacheKeys.tenant(1).entity("ticket:list", 1))
        .hasMessage("entity type 'ticket:list' must not contain ':'");
    assertThatThrownBy(() -> CacheKeys.tenant(1).entity("ticket", "7:x"))
        .hasMessage("entity id '7:x' must not contain ':'");
    assertThatThrownBy(() -> CacheKeys.tenant(1).user("u").field("a:b"))
        .hasMessage("field name 'a:b' must not contain ':'");
    assertThatThrownBy(() -> CacheKeys.global("a:b"))
        .hasMessage("global cache name 'a:b' must not contain ':'");
    assertThatThrownBy(() -> CacheKeys.global("a").part("b:c"))
        .hasMessage("part 'b:c' must not contain ':'");
    assertThatThrownBy(() -> CacheKeys.tenant(1).list("ticket", Map.of("a:b", 1)))
        .hasMessage("filter name 'a:b' must not contain ':'");
  }

  @Test
  void segmentsFollowKeyRules() {
    assertThatThrownBy(() -> CacheKeys.tenant("")).hasMessage("tenant id must not be empty");
    assertThatThrownBy(() -> CacheKeys.tenant(" 1"))
        .hasMessage("tenant id ' 1' contains whitespace at index 0");
    assertThatThrownBy(() -> CacheKeys.tenant("*"))
        .hasMessageStartingWith("tenant id '*' contains reserved character '*' at index 0");
    assertThatThrownBy(() -> CacheKeys.tenant(1).user("{u}"))
        .hasMessageStartingWith("user id '{u}' contains reserved character '{' at index 0");
    assertThatThrownBy(() -> CacheKeys.tenant(1).user("u").field(""))
        .hasMessage("field name must not be empty");
  }

  @Test
  void refusesNulls() {
    assertThatThrownBy(() -> CacheKeys.tenant(nullValue()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tenant id must not be null");
    assertThatThrownBy(() -> CacheKeys.tenant(1).entity("ticket", nullValue()))
        .hasMessage("entity id must not be null");
    assertThatThrownBy(() -> CacheKeys.tenant(1).list("ticket", nullValue()))
        .hasMessage("filters must not be null");
    Map<String, Object> nullName = new LinkedHashMap<>();
    nullName.put(null, 1);
    assertThatThrownBy(() -> CacheKeys.tenant(1).list("ticket", nullName))
        .hasMessage("filter name must not be null");
  }

  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  private static <T> T nullValue() {
    return (T) null;
  }

  @Test
  void refusesAnObjectWhoseStringFormChangesFromNodeToNode() {
    Object identity = new Object();
    assertThatThrownBy(() -> CacheKeys.tenant(identity))
        .hasMessage(
            "tenant id of type java.lang.Object does not override toString(), so its key would"
                + " differ on every node; pass a string or a number");
    assertThatThrownBy(() -> CacheKeys.tenant(1).list("t", Map.of("f", List.of(identity))))
        .hasMessageStartingWith("value of filter 'f' of type java.lang.Object does not override");
  }

  @Test
  void refusesABuiltKeyLongerThanTheMaximum() {
    String id = "i".repeat(500);
    assertThatThrownBy(() -> CacheKeys.tenant(1).entity("ticket", id))
        .hasMessageEndingWith("is 516 characters long, more than the maximum of 512");
  }

  // --- list hashes ---

  @Test
  void listKeyDoesNotDependOnMapOrder() {
    Map<String, Object> one = new LinkedHashMap<>();
    one.put("status", "open");
    one.put("assignee", 7);
    one.put("labels", List.of("a", "b"));
    Map<String, Object> other = new LinkedHashMap<>();
    other.put("labels", List.of("a", "b"));
    other.put("assignee", 7);
    other.put("status", "open");
    assertThat(CacheKeys.tenant(1).list("ticket", one))
        .isEqualTo(CacheKeys.tenant(1).list("ticket", other));
  }

  @Test
  void listKeyDoesNotDependOnSetOrder() {
    Set<String> forward = new LinkedHashSet<>(List.of("open", "closed", "pending"));
    Set<String> backward = new LinkedHashSet<>(List.of("pending", "closed", "open"));
    TenantKeys keys = CacheKeys.tenant(1);
    assertThat(keys.list("ticket", Map.of("status", forward)))
        .isEqualTo(keys.list("ticket", Map.of("status", backward)))
        .isEqualTo(keys.list("ticket", Map.of("status", new TreeSet<>(forward))))
        .isEqualTo(keys.list("ticket", Map.of("status", Set.of("open", "closed", "pending"))))
        .isEqualTo(keys.list("ticket", Map.of("status", new HashSet<>(forward))));
  }

  @Test
  void listKeyKeepsTheOrderOfLists() {
    TenantKeys keys = CacheKeys.tenant(1);
    assertThat(keys.list("ticket", Map.of("sort", List.of("a", "b"))))
        .isNotEqualTo(keys.list("ticket", Map.of("sort", List.of("b", "a"))));
  }

  @Test
  void arraysHashLikeLists() {
    TenantKeys keys = CacheKeys.tenant(1);
    assertThat(keys.list("t", Map.of("ids", new int[] {1, 2})))
        .isEqualTo(keys.list("t", Map.of("ids", List.of(1, 2))))
        .isEqualTo(keys.list("t", Map.of("ids", new Integer[] {1, 2})));
  }

  @Test
  void canonicalFormIsUnambiguous() {
    Map<String, Object> nullValue = new LinkedHashMap<>();
    nullValue.put("a", null);
    List<Map<String, ?>> distinct =
        List.of(
            nullValue,
            Map.of("a", "null"),
            Map.of("a", "1,b=2"),
            Map.of("a", "1", "b", "2"),
            Map.of("a", List.of("x,y")),
            Map.of("a", List.of("x", "y")),
            Map.of("a", List.of(List.of("x"), "y")),
            Map.of("a", List.of("x", List.of("y"))),
            Map.of("a", Set.of("x")),
            Map.of("a", Map.of("x", "y")),
            Map.of("a", Map.of("xy", "")),
            Map.of("ab", ""),
            Map.of());
    List<String> forms = new ArrayList<>();
    for (Map<String, ?> filters : distinct) {
      forms.add(TenantKeys.canonicalForm(filters));
    }
    assertThat(forms).doesNotHaveDuplicates();
    assertThat(distinct.stream().map(f -> CacheKeys.tenant(1).list("t", f)).toList())
        .doesNotHaveDuplicates();
  }

  @Test
  void hashIsTheFirst16HexCharactersOfSha256OfTheCanonicalForm() throws Exception {
    String form = TenantKeys.canonicalForm(Map.of("status", "open"));
    assertThat(form).isEqualTo("6:statusS4:open");
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(form.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(CacheKeys.tenant(1).list("ticket", Map.of("status", "open")))
        .isEqualTo(
            "tenant:1:ticket:list:" + java.util.HexFormat.of().formatHex(Arrays.copyOf(digest, 8)));
  }
}
