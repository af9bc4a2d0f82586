import type { ApiClient } from './client';
import type {
  AnalyticsRange, CacheRegion, ClusterNode, DashboardFeed, InvalidateRequest, InvalidateResult, KeyInspection, DeviceSession, IntlPreferences, Page, Role, Session, Tenant, TenantPlan, TenantAnalytics, TenantStatus, TimeZoneItem,
  User, UserStatus,
} from './types';
import type { HotKeysFeed } from './types';

/** The users list's query: what the filters, the sort and the pager ask the server for. */
export interface UserListParams {
  q: string;
  role: string;
  status: '' | UserStatus;
  createdFrom: string;
  createdTo: string;
  /** `createdAt`, `email`, `displayName` or `status`, `-` in front for descending. */
  sort: string;
  page: number;
  size: number;
}

export interface TenantListParams {
  q: string;
  plan: '' | TenantPlan;
  status: '' | TenantStatus;
  sort: string;
  page: number;
  size: number;
}

/** Query string of the non-empty values, in a fixed order, so equal queries are equal URLs. */
export function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === '' || value === undefined || value === null) continue;
    search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export const urls = {
  session: '/api/v1/auth/session',
  users: (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/users`,
  user: (tenantId: string, userId: string) =>
    `/api/v1/tenants/${encodeURIComponent(tenantId)}/users/${encodeURIComponent(userId)}`,
  userPermissions: (userId: string) => `/api/v1/users/${encodeURIComponent(userId)}/permissions`,
  roles: (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/roles`,
  analytics: (tenantId: string, range: AnalyticsRange) =>
    `/api/v1/tenants/${encodeURIComponent(tenantId)}/analytics${queryString({ range })}`,
  dashboard: (since: number) => `/api/v1/dashboard${queryString({ since })}`,
  dashboardNodes: '/api/v1/dashboard/nodes',
  dashboardRegions: '/api/v1/dashboard/regions',
  clearRegion: (name: string) => `/api/v1/dashboard/regions/${encodeURIComponent(name)}/clear`,
  dashboardHotKeys: '/api/v1/dashboard/hotkeys',
  inspectKey: (key: string) => `/admin/cache/inspect${queryString({ key })}`,
  invalidate: '/admin/cache/invalidate',
  tenants: '/api/v1/tenants',
  tenant: (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}`,
  devices: '/api/v1/auth/sessions',
  device: (id: string) => `/api/v1/auth/sessions/${encodeURIComponent(id)}`,
  preferences: '/api/v1/me/preferences',
  timeZones: (locale: string) => `/api/v1/reference/timezones${queryString({ locale })}`,
};

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  roles?: string[];
}

export interface UserChanges {
  displayName?: string;
  status?: UserStatus;
  roles?: string[];
}

export interface NewTenant {
  slug: string;
  name: string;
  plan?: TenantPlan;
}

export interface TenantChanges {
  name?: string;
  plan?: TenantPlan;
  status?: TenantStatus;
}

/** Every call the console makes, by name. */
export function endpoints(api: ApiClient) {
  return {
    login: (email: string, password: string) =>
      api.request<Session>('/api/v1/auth/login', { method: 'POST', body: { email, password }, noRefresh: true }),
    logout: () => api.request<void>('/api/v1/auth/logout', { method: 'POST', noRefresh: true }),
    logoutAll: () => api.request<{ endedSessions: number }>('/api/v1/auth/logout-all', { method: 'POST' }),
    session: (signal?: AbortSignal) => api.get<Session>(urls.session, signal),

    users: (tenantId: string, params: UserListParams, signal?: AbortSignal) =>
      api.get<Page<User>>(urls.users(tenantId) + queryString(params), signal),
    user: (tenantId: string, userId: string, signal?: AbortSignal) =>
      api.get<User>(urls.user(tenantId, userId), signal),
    userPermissions: (userId: string, signal?: AbortSignal) =>
      api.get<{ roles: string[]; permissions: string[] }>(urls.userPermissions(userId), signal),
    createUser: (tenantId: string, user: NewUser) =>
      api.request<User>(urls.users(tenantId), { method: 'POST', body: user }),
    updateUser: (tenantId: string, userId: string, changes: UserChanges) =>
      api.request<User>(urls.user(tenantId, userId), {
        method: 'PATCH', body: changes, ifMatchOf: urls.user(tenantId, userId),
      }),
    deleteUser: (tenantId: string, userId: string) =>
      api.request<void>(urls.user(tenantId, userId), { method: 'DELETE', ifMatchOf: urls.user(tenantId, userId) }),
    roles: (tenantId: string, signal?: AbortSignal) => api.get<{ items: Role[] }>(urls.roles(tenantId), signal),
    analytics: (tenantId: string, range: AnalyticsRange, signal?: AbortSignal) =>
      api.get<TenantAnalytics>(urls.analytics(tenantId, range), signal),

    dashboard: (since: number, signal?: AbortSignal) => api.get<DashboardFeed>(urls.dashboard(since), signal),
    dashboardNodes: (signal?: AbortSignal) =>
      api.get<{ node: string; nodes: ClusterNode[] }>(urls.dashboardNodes, signal),
    dashboardRegions: (signal?: AbortSignal) =>
      api.get<{ node: string; regions: CacheRegion[] }>(urls.dashboardRegions, signal),
    clearRegion: (name: string) =>
      api.request<{ region: string; removed: number }>(urls.clearRegion(name), { method: 'POST', body: {} }),
    dashboardHotKeys: (signal?: AbortSignal) => api.get<HotKeysFeed>(urls.dashboardHotKeys, signal),
    inspectKey: (key: string, signal?: AbortSignal) => api.get<KeyInspection>(urls.inspectKey(key), signal),
    invalidate: (request: InvalidateRequest) =>
      api.request<InvalidateResult>(urls.invalidate, { method: 'POST', body: request }),

    tenants: (params: TenantListParams, signal?: AbortSignal) =>
      api.get<Page<Tenant>>(urls.tenants + queryString(params), signal),
    tenant: (tenantId: string, signal?: AbortSignal) => api.get<Tenant>(urls.tenant(tenantId), signal),
    createTenant: (tenant: NewTenant) => api.request<Tenant>(urls.tenants, { method: 'POST', body: tenant }),
    updateTenant: (tenantId: string, changes: TenantChanges) =>
      api.request<Tenant>(urls.tenant(tenantId), { method: 'PATCH', body: changes, ifMatchOf: urls.tenant(tenantId) }),

    devices: (signal?: AbortSignal) => api.get<{ items: DeviceSession[] }>(urls.devices, signal),
    signOutDevice: (id: string) => api.request<void>(urls.device(id), { method: 'DELETE' }),

    preferences: (signal?: AbortSignal) => api.get<IntlPreferences>(urls.preferences, signal),
    updatePreferences: (changes: { locale?: string; timeZone?: string }) =>
      api.request<IntlPreferences>(urls.preferences, { method: 'PATCH', body: changes }),
    timeZones: (locale: string, signal?: AbortSignal) =>
      api.get<{ locale: string; items: TimeZoneItem[] }>(urls.timeZones(locale), signal),
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
