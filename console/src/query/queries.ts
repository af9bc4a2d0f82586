import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { TenantListParams, UserListParams } from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { AnalyticsRange, Role } from '../api/types';
import { ep } from '../app/services';
import { staleTimes } from './client';
import { meKeys, referenceKeys, roleKeys, tenantKeys, userKeys } from './keys';

/** Built-in roles, offered when the server has no roles endpoint yet (404). */
const builtInRoles: Role[] = [
  { name: 'member', description: 'Reads users and roles', builtIn: true, permissions: [] },
  { name: 'tenant_admin', description: 'Every permission in the tenant', builtIn: true, permissions: [] },
];

/** Every query the console runs, with its key and its per-type freshness. */
export const queries = {
  users: (tenantId: string, params: UserListParams) => queryOptions({
    queryKey: userKeys.list(tenantId, params),
    queryFn: ({ signal }) => ep.users(tenantId, params, signal),
    staleTime: staleTimes.list,
    placeholderData: keepPreviousData, // paging and filtering keep the table until the next page arrives
  }),
  user: (tenantId: string, userId: string) => queryOptions({
    queryKey: userKeys.detail(tenantId, userId),
    queryFn: ({ signal }) => ep.user(tenantId, userId, signal),
    staleTime: staleTimes.detail,
  }),
  userPermissions: (tenantId: string, userId: string) => queryOptions({
    queryKey: userKeys.permissions(tenantId, userId),
    queryFn: ({ signal }) => ep.userPermissions(userId, signal),
    staleTime: staleTimes.permissions,
  }),
  roles: (tenantId: string) => queryOptions({
    queryKey: roleKeys.all(tenantId),
    queryFn: async ({ signal }) => {
      try {
        return (await ep.roles(tenantId, signal)).items;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404 && error.code === 'not_found') return builtInRoles;
        throw error;
      }
    },
    staleTime: staleTimes.permissions,
  }),
  analytics: (tenantId: string, range: AnalyticsRange) => queryOptions({
    queryKey: userKeys.analytics(tenantId, range),
    queryFn: ({ signal }) => ep.analytics(tenantId, range, signal),
    staleTime: staleTimes.list,
  }),
  tenants: (params: TenantListParams) => queryOptions({
    queryKey: tenantKeys.list(params),
    queryFn: ({ signal }) => ep.tenants(params, signal),
    staleTime: staleTimes.list,
    placeholderData: keepPreviousData,
  }),
  tenant: (tenantId: string) => queryOptions({
    queryKey: tenantKeys.detail(tenantId),
    queryFn: ({ signal }) => ep.tenant(tenantId, signal),
    staleTime: staleTimes.detail,
  }),
  preferences: (tenantId: string, userId: string) => queryOptions({
    queryKey: meKeys.preferences(tenantId, userId),
    queryFn: ({ signal }) => ep.preferences(signal),
    staleTime: staleTimes.detail,
  }),
  devices: (tenantId: string, userId: string) => queryOptions({
    queryKey: meKeys.sessions(tenantId, userId),
    queryFn: async ({ signal }) => (await ep.devices(signal)).items,
    staleTime: staleTimes.list,
  }),
  timeZones: (locale: string) => queryOptions({
    queryKey: referenceKeys.timeZones(locale),
    queryFn: async ({ signal }) => (await ep.timeZones(locale, signal)).items,
    staleTime: staleTimes.reference,
  }),
};
