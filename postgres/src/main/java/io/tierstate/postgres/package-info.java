/**
 * Invalidation from PostgreSQL's own change stream: {@link io.tierstate.postgres.ChangeStream}
 * reads the {@code pgoutput} logical replication stream of a publication and invalidates, through
 * core's invalidation path, the keys and tags that a {@link io.tierstate.postgres.TableMapping}
 * derives from each changed row. See {@code docs/postgres-cdc.md}.
 */
@NullMarked
package io.tierstate.postgres;

import org.jspecify.annotations.NullMarked;
