/**
 * The users of a tenant: list (search, filters, sort, paging), create, read, change and delete,
 * and a user's effective permissions. Reads are cached in Tierstate (L1 + L2) with tags; every
 * change commits to PostgreSQL first and then invalidates on every node. See docs/server-data.md.
 */
@NullMarked
package io.tierstate.server.users;

import org.jspecify.annotations.NullMarked;
