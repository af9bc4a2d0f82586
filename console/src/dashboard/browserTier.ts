import type { Query, QueryCache } from '@tanstack/react-query';

/**
 * The browser's own tier, counted per tab (item 7 of the dashboard): queries answered from the
 * TanStack Query cache without a request, requests sent, `304 Not Modified` answers, and refetches
 * caused by a live invalidation. The dashboard's own polling is left out, so the numbers describe
 * the console's data reads, not the act of watching them.
 */
export interface BrowserTierCounts {
  cacheAnswers: number;
  requests: number;
  notModified: number;
  liveRefetches: number;
}

const zero = (): BrowserTierCounts => ({ cacheAnswers: 0, requests: 0, notModified: 0, liveRefetches: 0 });

/** Whether a request or query belongs to the dashboard itself. */
const isDashboardUrl = (url: string) => url.startsWith('/api/v1/dashboard');
const isDashboardKey = (key: readonly unknown[]) => key[0] === 'dashboard';

export class BrowserTier {
  private counts = zero();

  /** A GET the fetch layer sent, with the status of its answer. */
  response(url: string, method: string, status: number): void {
    if (method !== 'GET' || isDashboardUrl(url)) return;
    this.counts.requests++;
    if (status === 304) this.counts.notModified++;
  }

  /** A component started observing `query`: fresh data there means no request at all. */
  observed(query: Query): void {
    if (isDashboardKey(query.queryKey)) return;
    if (query.state.data !== undefined && !query.isStale()) this.counts.cacheAnswers++;
  }

  /** A live invalidation made `count` queries on screen refetch. */
  liveRefetches(count: number): void {
    this.counts.liveRefetches += count;
  }

  /** The totals since the tab opened (a copy). */
  snapshot(): BrowserTierCounts {
    return { ...this.counts };
  }

  /** Counts cache answers from `cache`'s observer events; returns the unsubscribe function. */
  watch(cache: QueryCache): () => void {
    return cache.subscribe((event) => {
      if (event.type === 'observerAdded') this.observed(event.query);
    });
  }
}

/** How much each count grew from `before` to `after`. */
export function difference(before: BrowserTierCounts, after: BrowserTierCounts): BrowserTierCounts {
  return {
    cacheAnswers: after.cacheAnswers - before.cacheAnswers,
    requests: after.requests - before.requests,
    notModified: after.notModified - before.notModified,
    liveRefetches: after.liveRefetches - before.liveRefetches,
  };
}
