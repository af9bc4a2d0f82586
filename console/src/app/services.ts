import type { Query } from '@tanstack/react-query';
import { ApiClient } from '../api/client';
import { endpoints } from '../api/endpoints';
import { EtagStore } from '../api/etags';
import { createRefreshGate, refreshWithServer } from '../api/refresh';
import type { Session } from '../api/types';
import { BrowserTier } from '../dashboard/browserTier';
import { LiveUpdates } from '../live/stream';
import { createQueryClient } from '../query/client';
import { sessionKeys } from '../query/keys';
import { useUiStore } from '../state/uiStore';

/**
 * The console's composition root: one query cache, one ETag store, one refresh gate, one API
 * client and one event stream per tab, and the two ways a session ends.
 */
export const queryClient = createQueryClient();
/** This tab's browser-tier counts, drawn by the dashboard's hit waterfall. */
export const browserTier = new BrowserTier();
browserTier.watch(queryClient.getQueryCache());
export const etags = new EtagStore();
const refreshGate = createRefreshGate(refreshWithServer(), () => endSession('expired'));
export const api = new ApiClient({
  etags,
  refreshGate,
  onSessionRevoked: (code) => endSession(code === 'tenant_suspended' ? 'tenant_suspended' : 'ended'),
  onResponse: (url, method, status) => browserTier.response(url, method, status),
});
export const ep = endpoints(api);

export const live = new LiveUpdates({
  queryClient,
  onEnd: (reason) => endSession(reason === 'tenant_suspended' ? 'tenant_suspended' : 'ended'),
  checkSession: () => ep.session(),
  onRefetch: (count) => browserTier.liveRefetches(count),
});

export type EndReason = 'signed-out' | 'expired' | 'ended' | 'tenant_suspended' | 'everywhere';

const notices: Record<EndReason, string> = {
  'signed-out': 'You have signed out.',
  expired: 'Your session has expired. Sign in again.',
  ended: 'Your session has ended. Sign in again.',
  tenant_suspended: 'Your organisation has been suspended. Contact your administrator.',
  everywhere: 'You have signed out on every device.',
};

/**
 * Forgets the session in this tab: the event stream, the whole query cache (server data of this
 * user and tenant), the ETags, and the UI store's tenant-specific state (filters, sort, selection,
 * dialogs). Preferences stay: they belong to this browser, not to the account.
 */
export function endSession(reason: EndReason): void {
  const hadSession = queryClient.getQueryData<Session | null>(sessionKeys.session()) != null;
  live.stop();
  // The session query stays (the app observes it) and becomes null; everything else goes.
  queryClient.setQueryData(sessionKeys.session(), null);
  if (hadSession) {
    const others = { predicate: (query: Query) => !isSessionKey(query.queryKey) };
    void queryClient.cancelQueries(others);
    queryClient.removeQueries(others);
    queryClient.getMutationCache().clear();
  }
  etags.clear();
  const ui = useUiStore.getState();
  ui.resetForSignOut();
  // Only the first end of a session speaks: the stream's `end` and a failed refresh often both come.
  if (hadSession) ui.setSignOutNotice(notices[reason]);
}

function isSessionKey(key: readonly unknown[]): boolean {
  const session = sessionKeys.session();
  return key.length === session.length && key.every((part, i) => part === session[i]);
}

/** Signs out: the server ends the session and clears the cookies, then this tab forgets it. */
export async function signOut(): Promise<void> {
  try {
    await ep.logout();
  } catch {
    // The cookies may outlive a failed call, but this tab forgets the session regardless.
  }
  endSession('signed-out');
}
