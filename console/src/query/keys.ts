import type { TenantListParams, UserListParams } from '../api/endpoints';
import type { AnalyticsRange } from '../api/types';

/**
 * Query-key factories, one per entity. Tenant data carries the tenant id right after the entity,
 * so one tenant's entries can never answer for another's, and "everything of a tenant" is a prefix.
 * Each factory builds on the one above it, so invalidating a prefix reaches everything below it:
 * `userKeys.detail(t, id)` also covers `userKeys.permissions(t, id)`.
 */
export const sessionKeys = {
  session: () => ['auth', 'session'] as const,
};

export const userKeys = {
  all: (tenantId: string) => ['users', tenantId] as const,
  lists: (tenantId: string) => [...userKeys.all(tenantId), 'list'] as const,
  list: (tenantId: string, params: UserListParams) => [...userKeys.lists(tenantId), params] as const,
  details: (tenantId: string) => [...userKeys.all(tenantId), 'detail'] as const,
  detail: (tenantId: string, userId: string) => [...userKeys.details(tenantId), userId] as const,
  permissions: (tenantId: string, userId: string) => [...userKeys.detail(tenantId, userId), 'permissions'] as const,
  /** Aggregates of the tenant's users (the overview page): every user change moves them, as on the server. */
  analyticsAll: (tenantId: string) => [...userKeys.all(tenantId), 'analytics'] as const,
  analytics: (tenantId: string, range: AnalyticsRange) => [...userKeys.analyticsAll(tenantId), range] as const,
};

/** The operations dashboard's feed: one per signed-in user, never shared (its data is a running buffer). */
export const dashboardKeys = {
  feed: (tenantId: string, userId: string) => ['dashboard', tenantId, userId] as const,
  /** The cluster's nodes: the same for every viewer of a tenant, polled while the page is open. */
  nodes: (tenantId: string) => ['dashboard', tenantId, 'nodes'] as const,
  /** This node's cache regions: polled while the page is open, refetched after a clear. */
  regions: (tenantId: string) => ['dashboard', tenantId, 'regions'] as const,
  /** Every live node's hot keys: polled while the page is open (other nodes' change at each heartbeat). */
  hotKeys: (tenantId: string) => ['dashboard', tenantId, 'hotkeys'] as const,
  /** One key's inspection: fetched on request only, and refetched after an invalidation. */
  inspections: (tenantId: string) => ['dashboard', tenantId, 'inspect'] as const,
  inspection: (tenantId: string, key: string) => [...dashboardKeys.inspections(tenantId), key] as const,
};

export const roleKeys = {
  all: (tenantId: string) => ['roles', tenantId] as const,
};

/** Tenants span the platform (platform administrators only), so their keys name no tenant of the caller. */
export const tenantKeys = {
  all: () => ['tenants'] as const,
  lists: () => [...tenantKeys.all(), 'list'] as const,
  list: (params: TenantListParams) => [...tenantKeys.lists(), params] as const,
  details: () => [...tenantKeys.all(), 'detail'] as const,
  detail: (tenantId: string) => [...tenantKeys.details(), tenantId] as const,
};

export const meKeys = {
  tenant: (tenantId: string) => ['me', tenantId] as const,
  all: (tenantId: string, userId: string) => [...meKeys.tenant(tenantId), userId] as const,
  preferences: (tenantId: string, userId: string) => [...meKeys.all(tenantId, userId), 'preferences'] as const,
  sessions: (tenantId: string, userId: string) => [...meKeys.all(tenantId, userId), 'sessions'] as const,
};

/** Reference data is the same for everyone: keyed by kind and locale only. */
export const referenceKeys = {
  timeZones: (locale: string) => ['reference', 'timezones', locale] as const,
};

/** Every key prefix that holds data of one tenant. */
export function tenantScopedPrefixes(tenantId: string): ReadonlyArray<readonly unknown[]> {
  return [userKeys.all(tenantId), roleKeys.all(tenantId), meKeys.tenant(tenantId)];
}
