import type { QueryKey } from '@tanstack/react-query';
import { meKeys, sessionKeys, tenantKeys, tenantScopedPrefixes, userKeys } from '../query/keys';

/** The data of an `invalidate` event (docs/server-data.md). */
export interface InvalidateNotice {
  entity: string;
  id: string | null;
  tenantId?: string;
  tags?: string[];
  /** Sent by older servers only; the console never needed them. */
  keys?: string[];
  pattern?: string | null;
  origin?: string;
}

/** Whose console this is: the stream only ever speaks of this tenant (and, for admins, tenants). */
export interface Viewer {
  tenantId: string;
  userId: string;
}

export type Reaction =
  | { kind: 'invalidate'; keys: QueryKey[] }
  | { kind: 'invalidate-all' }
  | { kind: 'sign-out'; reason: string }
  | { kind: 'reconnect' }
  | { kind: 'none' };

/**
 * What an `invalidate` event means for the query cache (the console contract):
 *  - `user` with an id: that user's detail and permissions, the tenant's user lists and analytics,
 *    and the viewer's own `me` data and session when it is the viewer (their roles may have changed);
 *  - `users`, or no id: the tenant's user lists and analytics;
 *  - `tenant` with an id: that tenant's detail and the tenant lists, and the session when it is
 *    the viewer's own tenant (its name, plan or status is in the session);
 *  - anything else: everything of the viewer's tenant.
 */
export function keysToInvalidate(notice: InvalidateNotice, viewer: Viewer): QueryKey[] {
  const t = viewer.tenantId;
  if (notice.entity === 'user' && notice.id) {
    const keys: QueryKey[] = [userKeys.detail(t, notice.id), userKeys.lists(t), userKeys.analyticsAll(t)];
    if (notice.id === viewer.userId) keys.push(meKeys.all(t, viewer.userId), sessionKeys.session());
    return keys;
  }
  if (notice.entity === 'users' || (notice.entity === 'user' && !notice.id)) {
    return [userKeys.lists(t), userKeys.analyticsAll(t)];
  }
  if (notice.entity === 'tenant' && notice.id) {
    const keys: QueryKey[] = [tenantKeys.detail(notice.id), tenantKeys.lists()];
    if (notice.id === t) keys.push(sessionKeys.session());
    return keys;
  }
  return [...tenantScopedPrefixes(t)];
}

/**
 * The reaction to one server-sent event. `ready` after a reconnect means changes may have been
 * missed while disconnected (there is no replay), so, like `resync`, it invalidates everything.
 * `end` signs out, except when the server is stopping, when the stream comes back elsewhere.
 */
export function reactionTo(type: string, data: string, viewer: Viewer, reconnected: boolean): Reaction {
  switch (type) {
    case 'ready':
      return reconnected ? { kind: 'invalidate-all' } : { kind: 'none' };
    case 'resync':
      return { kind: 'invalidate-all' };
    case 'invalidate': {
      const notice = parse<InvalidateNotice>(data);
      if (!notice || typeof notice.entity !== 'string') return { kind: 'invalidate-all' };
      return { kind: 'invalidate', keys: keysToInvalidate(notice, viewer) };
    }
    case 'end': {
      const reason = parse<{ reason?: string }>(data)?.reason ?? 'session_ended';
      return reason === 'server_stopping' ? { kind: 'reconnect' } : { kind: 'sign-out', reason };
    }
    default:
      return { kind: 'none' };
  }
}

function parse<T>(data: string): T | null {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    return null;
  }
}
