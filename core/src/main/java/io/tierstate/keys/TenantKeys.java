package io.tierstate.keys;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.reflect.Array;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The keys of one tenant, all of which start with {@link #prefix()} ({@code "tenant:42:"}).
 * Obtained from {@link CacheKeys#tenant(Object)}.
 *
 * <p>Instances are immutable and thread-safe; two are equal when they are for the same tenant.
 */
public final class TenantKeys {
  private static final int LIST_HASH_HEX_CHARS = 16;

  private final String prefix;

  TenantKeys(String tenantId) {
    this.prefix = CacheKeys.requireBuiltKeyLength("tenant:" + tenantId + ":");
  }

  /**
   * The keys of one user of this tenant: {@code tenant(42).user("u1").field("permissions")} is
   * {@code "tenant:42:user:u1:permissions"}.
   *
   * @throws IllegalArgumentException if the rendered user id is empty, contains {@code ':'} or a
   *     character that is not valid in a key, or if {@code userId} is null or of a class that does
   *     not override {@code toString()}
   */
  public UserKeys user(Object userId) {
    return new UserKeys(prefix + "user:" + CacheKeys.requireSegment("user id", userId) + ":");
  }

  /**
   * The key of one entity: {@code tenant(42).entity("ticket", 7)} is {@code "tenant:42:ticket:7"}.
   *
   * @throws IllegalArgumentException if {@code type} or the rendered {@code id} is empty, contains
   *     {@code ':'} or a character that is not valid in a key, if {@code id} is null or of a class
   *     that does not override {@code toString()}, or if the key would be longer than {@link
   *     CacheKeys#MAX_KEY_LENGTH}
   */
  public String entity(String type, Object id) {
    return CacheKeys.requireBuiltKeyLength(
        prefix
            + CacheKeys.requireSegment("entity type", type)
            + ":"
            + CacheKeys.requireSegment("entity id", id));
  }

  /**
   * The key of a filtered list of entities: {@code "tenant:42:ticket:list:"} followed by 16 hex
   * characters of the SHA-256 of the filters' canonical form. The same filters give the same key on
   * every node, whatever the map's order: filters are sorted by name; values are rendered with
   * {@link String#valueOf(Object)}, lists and arrays element by element in order, sets and map
   * values sorted (their iteration order differs between equal instances, and {@code Set.of}
   * changes it from one JVM to the next), and null as a marker distinct from the string {@code
   * "null"}. The form is unambiguous: no two different sets of filters have the same canonical
   * form.
   *
   * @throws IllegalArgumentException if {@code type} or a filter name is null, empty, contains
   *     {@code ':'} or a character that is not valid in a key, if {@code filters} is null, or if a
   *     value (or element) is of a class that does not override {@code toString()}
   */
  public String list(String type, Map<String, ?> filters) {
    String checkedType = CacheKeys.requireSegment("entity type", type);
    if (filters == null) {
      throw new IllegalArgumentException("filters must not be null");
    }
    return CacheKeys.requireBuiltKeyLength(
        prefix + checkedType + ":list:" + hash(canonicalForm(filters)));
  }

  /** {@code "tenant:42:"}: the start of every key of this tenant. */
  public String prefix() {
    return prefix;
  }

  /** {@code "tenant:42:*"}: the invalidation pattern that matches every key of this tenant. */
  public String pattern() {
    return prefix + "*";
  }

  static String canonicalForm(Map<?, ?> filters) {
    TreeMap<String, @Nullable Object> sorted = new TreeMap<>();
    for (Map.Entry<?, ?> filter : filters.entrySet()) {
      Object name = filter.getKey();
      if (name != null && !(name instanceof String)) {
        throw new IllegalArgumentException(
            "filter name must be a String, was a " + name.getClass().getName());
      }
      sorted.put(CacheKeys.requireSegment("filter name", name), filter.getValue());
    }
    StringBuilder form = new StringBuilder();
    for (Map.Entry<String, @Nullable Object> filter : sorted.entrySet()) {
      appendString(form, filter.getKey());
      appendValue(form, filter.getKey(), filter.getValue());
    }
    return form.toString();
  }

  // Each value is written so that where it ends is known without looking further: "N" for null,
  // "S<length>:<text>" for a rendered value, "L<count>[...]" for an ordered sequence, and
  // "U<count>[...]" / "M<count>{...}" for sets and maps with their parts sorted.
  private static void appendValue(StringBuilder form, String filter, @Nullable Object value) {
    if (value == null) {
      form.append('N');
    } else if (value instanceof Set<?> set) {
      List<String> elements = new ArrayList<>(set.size());
      for (Object element : set) {
        elements.add(valueForm(filter, element));
      }
      elements.sort(null);
      form.append('U').append(elements.size()).append('[');
      elements.forEach(form::append);
      form.append(']');
    } else if (value instanceof Collection<?> collection) {
      form.append('L').append(collection.size()).append('[');
      for (Object element : collection) {
        appendValue(form, filter, element);
      }
      form.append(']');
    } else if (value.getClass().isArray()) {
      int length = Array.getLength(value);
      form.append('L').append(length).append('[');
      for (int i = 0; i < length; i++) {
        appendValue(form, filter, Array.get(value, i));
      }
      form.append(']');
    } else if (value instanceof Map<?, ?> map) {
      List<String> entries = new ArrayList<>(map.size());
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        entries.add(valueForm(filter, entry.getKey()) + valueForm(filter, entry.getValue()));
      }
      entries.sort(null);
      form.append('M').append(entries.size()).append('{');
      entries.forEach(form::append);
      form.append('}');
    } else {
      if (!(value instanceof String)) {
        CacheKeys.requireStableToString("value of filter '" + filter + "'", value);
      }
      form.append('S');
      appendString(form, String.valueOf(value));
    }
  }

  private static String valueForm(String filter, @Nullable Object value) {
    StringBuilder form = new StringBuilder();
    appendValue(form, filter, value);
    return form.toString();
  }

  private static void appendString(StringBuilder form, String text) {
    form.append(text.length()).append(':').append(text);
  }

  private static String hash(String canonicalForm) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK provides SHA-256", e);
    }
    byte[] digest = sha256.digest(canonicalForm.getBytes(UTF_8));
    return HexFormat.of().formatHex(digest, 0, LIST_HASH_HEX_CHARS / 2);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof TenantKeys keys && keys.prefix.equals(prefix);
  }

  @Override
  public int hashCode() {
    return prefix.hashCode();
  }

  @Override
  public String toString() {
    return "TenantKeys[" + prefix + "]";
  }
}
