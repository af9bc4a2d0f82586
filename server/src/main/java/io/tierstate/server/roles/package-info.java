/**
 * The roles a tenant's users can hold ({@code GET /api/v1/tenants/{tenantId}/roles}): the
 * built-in ones and the tenant's own, with their permissions, cached in Tierstate.
 */
@NullMarked
package io.tierstate.server.roles;

import org.jspecify.annotations.NullMarked;
