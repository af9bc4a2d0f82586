import { ApiError, errorFromResponse } from './errors';

/**
 * One token refresh at a time, shared by every request that got a 401 while it runs (single
 * flight). `generation` counts the refreshes that succeeded, so a request that was sent before a
 * refresh finished, and so carried the old token, can tell that it needs only a retry.
 */
export interface RefreshGate {
  readonly generation: number;
  /** Joins the refresh in flight, or starts one; rejects when the refresh failed. */
  refresh(): Promise<void>;
}

/**
 * @param run performs the refresh (POST /api/v1/auth/refresh); rejects on failure
 * @param onRejected called once per failed refresh that the server refused (a 4xx: no valid refresh
 *     token, the session ended, the token was reused), which means the user is signed out; a network
 *     error or a 5xx (the session store down, another refresh busy) does not sign out
 */
export function createRefreshGate(run: () => Promise<void>, onRejected: (error: ApiError) => void): RefreshGate {
  let inFlight: Promise<void> | null = null;
  let generation = 0;
  return {
    get generation() {
      return generation;
    },
    refresh() {
      if (inFlight === null) {
        inFlight = run().then(
          () => {
            generation++;
            inFlight = null;
          },
          (error: unknown) => {
            inFlight = null;
            if (error instanceof ApiError && error.isClientError) onRejected(error);
            throw error;
          },
        );
      }
      return inFlight;
    },
  };
}

/**
 * The refresh call itself. Tabs of one browser share the cookies, and the server treats a refresh
 * token presented twice as stolen (it ends the session), so tabs take turns through a Web Lock when
 * the browser has them: the second tab then presents the token the first one received.
 */
export function refreshWithServer(fetchFn: typeof fetch = (input, init) => fetch(input, init)): () => Promise<void> {
  const call = async () => {
    const response = await fetchFn('/api/v1/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
  };
  return () => {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    return locks ? locks.request('tierstate-auth-refresh', call) : call();
  };
}
