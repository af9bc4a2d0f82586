package io.tierstate.server.events;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One invalidation as a tenant's browsers see it, the data of an {@code invalidate} event:
 * {@code {"entity":"user","id":"...","tenantId":"...","tags":[...],"origin":"node-id"}}: what a
 * browser needs to refetch. The cache keys behind it (list-page hashes, absent entries of ids
 * someone probed) are not sent: they mean nothing to a browser, and a user whose PATCH dropped 29
 * of them sent them to every member of the tenant. Only names of one tenant ever appear in it.
 * Immutable.
 *
 * @param entity the kind of thing that changed, from the first name after {@code tenant:{t}:}
 *     ({@code user}, {@code users}, ...)
 * @param id the id of the thing that changed, or null when a collection changed
 * @param tenantId the tenant whose data changed
 * @param tags the invalidated tags of the tenant, such as {@code tenant:{t}:user:{u}}
 * @param pattern the invalidated pattern, for a pattern invalidation, else null
 * @param origin the id of the node where the change was made
 */
record Notice(String entity, @Nullable String id, String tenantId, List<String> tags, @Nullable String pattern,
    String origin) {
  Notice {
    tags = List.copyOf(tags);
  }

  /** The same change, seen again (a second invalidation of one change): this notice with both notices' tags. */
  Notice merge(Notice other) {
    List<String> all = new java.util.ArrayList<>(tags);
    other.tags().stream().filter(tag -> !all.contains(tag)).forEach(all::add);
    return new Notice(entity, id, tenantId, all, pattern != null ? pattern : other.pattern(), origin);
  }

  /** What makes two notices one change to a browser: the same thing of the same tenant. */
  String identity() {
    return tenantId + " " + entity + " " + id;
  }
}
