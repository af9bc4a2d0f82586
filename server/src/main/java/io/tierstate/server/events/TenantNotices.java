package io.tierstate.server.events;

import io.tierstate.cache.InvalidationEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Splits an invalidation into one {@link Notice} per tenant it touches, by the {@code tenant:{t}:}
 * prefix of its keys, tags and pattern. A name of no tenant (global reference data, say) is never
 * announced; a name of tenant X only ever reaches tenant X. Stateless.
 */
final class TenantNotices {
  private static final Pattern TENANT_NAME = Pattern.compile(
      "tenant:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(.+)");

  private TenantNotices() {}

  /** The notices of {@code event}, by tenant; empty for an invalidation of no tenant's data. */
  static Map<UUID, Notice> of(InvalidationEvent event) {
    Map<UUID, Names> byTenant = new LinkedHashMap<>();
    for (String tag : event.tags()) {
      Matcher m = TENANT_NAME.matcher(tag);
      if (m.matches()) {
        byTenant.computeIfAbsent(UUID.fromString(m.group(1)), t -> new Names()).tags.add(tag);
      }
    }
    for (String key : event.keys()) {
      Matcher m = TENANT_NAME.matcher(key);
      if (m.matches()) {
        byTenant.computeIfAbsent(UUID.fromString(m.group(1)), t -> new Names()).keys.add(key);
      }
    }
    String pattern = event.pattern();
    if (pattern != null) {
      Matcher m = TENANT_NAME.matcher(pattern);
      if (m.matches()) {
        byTenant.computeIfAbsent(UUID.fromString(m.group(1)), t -> new Names()).pattern = pattern;
      }
    }
    Map<UUID, Notice> notices = new LinkedHashMap<>();
    byTenant.forEach((tenant, names) -> notices.put(tenant, names.notice(tenant, event.originNode())));
    return notices;
  }

  /** Whether an invalidation may touch every tenant (a global pattern), so that all must resync. */
  static boolean touchesEveryTenant(InvalidationEvent event) {
    String pattern = event.pattern();
    if (event.kind() != InvalidationEvent.Kind.PATTERN || pattern == null || TENANT_NAME.matcher(pattern).matches()) {
      return false;
    }
    // The literal start of the pattern decides whether it can match a "tenant:" key.
    int glob = 0;
    while (glob < pattern.length() && pattern.charAt(glob) != '*' && pattern.charAt(glob) != '?') {
      glob++;
    }
    String literal = pattern.substring(0, glob);
    return "tenant:".startsWith(literal) || literal.startsWith("tenant:");
  }

  private static final class Names {
    final List<String> tags = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    @Nullable String pattern;

    Notice notice(UUID tenant, String origin) {
      // The most specific name says what changed: a tag or key with an id, else the first one.
      List<String> names = new ArrayList<>(tags);
      names.addAll(keys);
      if (pattern != null) {
        names.add(pattern);
      }
      String entity = "*";
      String id = null;
      for (String name : names) {
        String[] parts = name.split(":", -1);
        // parts: tenant, {t}, entity, [id or "list"], ...
        String candidateEntity = glob(parts[2]) ? "*" : parts[2];
        String candidateId = parts.length > 3 && !parts[3].equals("list") && !glob(parts[3]) ? parts[3] : null;
        if (candidateId != null) {
          entity = candidateEntity;
          id = candidateId;
          break;
        }
        if (entity.equals("*")) {
          entity = candidateEntity;
        }
      }
      return new Notice(entity, id, tenant.toString(), tags, pattern, origin);
    }

    private static boolean glob(String segment) {
      return segment.contains("*") || segment.contains("?");
    }
  }
}
