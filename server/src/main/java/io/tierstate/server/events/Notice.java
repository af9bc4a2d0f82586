package io.tierstate.server.events;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One invalidation as a tenant's browsers see it, the data of an {@code invalidate} event:
 * {@code {"entity":"user","id":"...","tags":[...],"keys":[...],"origin":"node-id"}}. Only names of
 * one tenant ever appear in it. Immutable.
 *
 * @param entity the kind of thing that changed, from the first name after {@code tenant:{t}:}
 *     ({@code user}, {@code users}, ...)
 * @param id the id of the thing that changed, or null when a collection changed
 * @param tags the invalidated tags of the tenant
 * @param keys the invalidated keys of the tenant
 * @param pattern the invalidated pattern, for a pattern invalidation, else null
 * @param origin the id of the node where the change was made
 */
record Notice(String entity, @Nullable String id, List<String> tags, List<String> keys, @Nullable String pattern,
    String origin) {
  Notice {
    tags = List.copyOf(tags);
    keys = List.copyOf(keys);
  }
}
