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

/** p50/p95/p99 in milliseconds (Micrometer's recent window). */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** One sample of a node's meters, taken every 2 s; counters are deltas over that interval. */
export interface DashboardSample {
  seq: number;
  /** When it was taken (epoch milliseconds). */
  t: number;
  reads: { l1: number; l2: number; db: number };
  l1Size: number;
  evictions: Record<string, number>;
  staleServed: Record<string, number>;
  fillsRejected: Record<string, number>;
  loadFailures: number;
  invalidations: { sent: number; received: number };
  /**
   * Each live node's invalidation propagation lag (ms): the longest time another node's
   * invalidation took to reach it over the last two minutes or so. The answering node's from its
   * own meter, the others' from their last heartbeat; only the answering node's while Redis is
   * unreachable.
   */
  propagationLag: Record<string, number>;
  latency: Record<string, Percentiles>;
  http: Record<string, Percentiles & { count: number }>;
  redis: { breaker: string | null; rttMillis?: number | null; usedBytes?: number | null; maxBytes?: number | null };
  /** unreachableSeconds: how long a batch writer's database has been unreachable (0: answering). */
  writeBehind: { pending: number; lagSeconds: number; deadLetters: number; unreachableSeconds: number };
  rateLimit: Record<string, Record<string, number>>;
  sessions: { started: number; ended: number };
  /** The health status, while someone watches (the sampler itself never runs the checks). */
  health?: string;
  /** 1 while this node has invalidations not applied yet, 0 otherwise (while someone watches). */
  pendingInvalidations?: number;
  /**
   * The consistency auditor (absent while it is off): nines and ratio over its window (null before
   * any sample), samples and confirmed inconsistencies in this interval.
   */
  consistency?: { nines: number | null; ratio: number | null; samples: number; inconsistent: number };
}

export interface HealthCheckView {
  name: string;
  status: string;
  message: string;
}

/** One node of the cluster as it last announced itself in Redis (GET /api/v1/dashboard/nodes). */
export interface ClusterNode {
  id: string;
  host: string;
  version: string;
  status: 'LIVE' | 'STOPPED';
  startedAt: string;
  lastHeartbeat: string;
  heartbeatIntervalMillis: number;
  uptimeSeconds: number;
  l1Size: number;
  invalidationLagMillis: number;
}

/** One cache region on the node that answered (GET /api/v1/dashboard/regions). */
export interface CacheRegion {
  name: string;
  requests: number;
  l1Hits: number;
  l2Hits: number;
  /** 0 to 1 */
  l1HitRate: number;
  /** 0 to 1 */
  l2HitRate: number;
  loads: number;
  loadMeanMillis: number;
  loadP99Millis: number;
  /** The region's entries in the answering node's L1. */
  l1Entries: number;
}

/** A key a node reads often, with its estimated reads per second (GET /api/v1/dashboard/hotkeys). */
export interface HotKey {
  key: string;
  readsPerSecond: number;
}

/** GET /api/v1/dashboard/hotkeys: every live node's hot keys, and the merged list. */
export interface HotKeysFeed {
  /** The node that answered. */
  node: string;
  /** `tenant`: only keys of the caller's tenant. */
  scope: 'tenant' | 'service';
  /** One read in this many is sampled on the answering node; 0 = sampling off. */
  sampling: number;
  halfLifeSeconds: number;
  /** False while Redis cannot be reached: only the answering node is listed. */
  nodesListed: boolean;
  /** Rates added per key over the nodes, hottest first; `nodes` counts the nodes that list the key. */
  merged: (HotKey & { nodes: number })[];
  /** The answering node first (its list now), then the other live nodes (at their last heartbeat). */
  nodes: { id: string; self: boolean; asOf: string; hotKeys: HotKey[] }[];
}

/** GET /admin/cache/inspect?key=: what this node's L1 and Redis hold for one key. */
export interface KeyInspection {
  key: string;
  node: string;
  cached: boolean;
  inL1: boolean;
  inL2: boolean;
  /** Remaining time to live in Redis; null when the key is not there. */
  ttlMillis: number | null;
  sizeBytes: number;
  compressed: boolean;
  absent: boolean;
  corrupt: boolean;
  writtenAt: string | null;
  freshUntil: string | null;
  fence: number;
  tags: string[];
  /**
   * The entry's cache region; null when it has none, or when it is only in Redis under a region
   * the answering node has not used since it started (Redis has no index from a key to its region).
   */
  region: string | null;
}

/** What POST /admin/cache/invalidate takes: at least one member. */
export interface InvalidateRequest {
  keys?: string[];
  tags?: string[];
  pattern?: string;
}

/** What POST /admin/cache/invalidate answers. */
export interface InvalidateResult {
  invalidated: { keys?: number; keyEntries?: number | null; taggedEntries?: number; patternEntries?: number };
  /** Entries removed from Redis in all (null when some could not be counted: Redis was unreachable). */
  removed: number | null;
}

/** GET /api/v1/dashboard?since=: the samples after `since`, and the health now. */
export interface DashboardFeed {
  node: string;
  scope: 'tenant' | 'service';
  intervalMillis: number;
  health: {
    status: string;
    checkedAt: string;
    checks: HealthCheckView[];
    /** Absent (or null) when the check could not measure it. */
    redis: { rttMillis?: number | null; usedBytes?: number | null; maxBytes?: number | null };
    /** Whether this node has invalidations it has not applied yet. */
    pendingInvalidations?: boolean | null;
  };
  alerts: { rule: string; message: string; firedAt: string }[];
  activeSessions: number | null;
  samples: DashboardSample[];
}
