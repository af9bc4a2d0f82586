/** Shapes of the server's JSON (docs/server.md, docs/server-data.md, the console contract). */

export interface Session {
  user: { id: string; email: string; displayName: string | null };
  tenant: { id: string; slug: string | null; name: string | null; plan?: TenantPlan; status?: TenantStatus };
  roles: string[];
  permissions: string[];
  session: {
    deviceId: string;
    ipAddress: string | null;
    userAgent: string | null;
    createdAt: string;
    lastActiveAt: string;
    expiresAt: string;
    absoluteExpiresAt: string;
  } | null;
  accessTokenExpiresAt?: string;
  degraded: boolean;
}

export type UserStatus = 'active' | 'suspended';

export interface User {
  id: string;
  tenantId: string;
  email: string;
  displayName: string;
  status: UserStatus;
  roles: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
  totalPages: number;
}

export interface Role {
  name: string;
  description: string;
  builtIn: boolean;
  permissions: string[];
}

export type TenantPlan = 'free' | 'pro' | 'enterprise';
export type TenantStatus = 'active' | 'suspended';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  plan: TenantPlan;
  status: TenantStatus;
  userCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface DeviceSession {
  id: string;
  deviceId: string;
  ipAddress: string | null;
  userAgent: string | null;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
  current: boolean;
}

export interface IntlPreferences {
  locale: string;
  timeZone: string;
  updatedAt: string;
  version: number;
}

export interface TimeZoneItem {
  id: string;
  name: string;
  standardOffset: string;
}

/** The periods tenant analytics are computed over. */
export type AnalyticsRange = '7d' | '30d' | '90d';

/** GET /api/v1/tenants/{t}/analytics: computed in PostgreSQL, cached by the server for up to an hour. */
export interface TenantAnalytics {
  range: AnalyticsRange;
  from: string;
  to: string;
  computedAt: string;
  users: {
    total: number;
    byStatus: Record<UserStatus, number>;
    byRole: { role: string; users: number }[];
  };
  signIns: { day: string; count: number }[];
}
