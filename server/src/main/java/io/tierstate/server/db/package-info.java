/**
 * PostgreSQL access: a pooled {@link io.tierstate.server.db.Database} with a small JDBC helper
 * ({@link io.tierstate.server.db.Jdbc}), transactions, and the Flyway migrations in {@code
 * db/migration}. Plain SQL, no ORM.
 */
@NullMarked
package io.tierstate.server.db;

import org.jspecify.annotations.NullMarked;
