/**
 * Tenant analytics, the "computed analytics" case of the storage strategy: aggregates computed in
 * PostgreSQL, cached for an hour, invalidated by the changes that move them (user changes) and left
 * to age out for the ones that would invalidate too often (sign-ins).
 */
@NullMarked
package io.tierstate.server.analytics;

import org.jspecify.annotations.NullMarked;
