/**
 * Tenants: platform administrators list, create and change every tenant, its plan and status; a
 * tenant's own members read it and its admins rename it. Suspending a tenant ends its users'
 * sessions and event streams and drops everything cached for it. See docs/server-data.md.
 */
@NullMarked
package io.tierstate.server.tenants;

import org.jspecify.annotations.NullMarked;
