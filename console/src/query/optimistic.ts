import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { Page } from '../api/types';

/**
 * Optimistic updates as plain functions: how a change shows in cached pages before the server
 * answers, how to take a snapshot of what it touches, and how to put the snapshot back when the
 * server refuses. Mutations wire them through {@link optimisticHandlers}.
 */

interface Identified {
  id: string;
}

/** The page with the item of that id replaced by `change(item)`; the same object when absent. */
export function replaceInPage<T extends Identified>(page: Page<T>, id: string, change: (item: T) => T): Page<T> {
  if (!page.items.some((item) => item.id === id)) return page;
  return { ...page, items: page.items.map((item) => (item.id === id ? change(item) : item)) };
}

/** The page without the items of those ids, its total lowered by as many. */
export function removeFromPage<T extends Identified>(page: Page<T>, ids: ReadonlySet<string>): Page<T> {
  const items = page.items.filter((item) => !ids.has(item.id));
  const removed = page.items.length - items.length;
  if (removed === 0) return page;
  const total = Math.max(0, page.total - removed);
  return { ...page, items, total, totalPages: Math.max(1, Math.ceil(total / page.size)) };
}

/**
 * A first page with the new item on top (its last item drops off when the page was full); other
 * pages get only the higher total, since where the new item sorts is the server's to say.
 */
export function prependToPage<T extends Identified>(page: Page<T>, item: T): Page<T> {
  const total = page.total + 1;
  const totalPages = Math.max(1, Math.ceil(total / page.size));
  if (page.page !== 1) return { ...page, total, totalPages };
  return { ...page, items: [item, ...page.items].slice(0, page.size), total, totalPages };
}

/** What an optimistic change overwrote: every cached entry under the given prefixes. */
export interface Snapshot {
  entries: Array<[QueryKey, unknown]>;
}

export function takeSnapshot(client: QueryClient, prefixes: readonly QueryKey[]): Snapshot {
  const entries: Array<[QueryKey, unknown]> = [];
  for (const queryKey of prefixes) {
    for (const [key, data] of client.getQueriesData({ queryKey })) entries.push([key, data]);
  }
  return { entries };
}

export function restoreSnapshot(client: QueryClient, snapshot: Snapshot): void {
  for (const [key, data] of snapshot.entries) client.setQueryData(key, data);
}

/** Applies `change` to every cached page under `prefix`. */
export function updatePages<T>(client: QueryClient, prefix: QueryKey, change: (page: Page<T>) => Page<T>): void {
  client.setQueriesData<Page<T>>({ queryKey: prefix }, (page) => (page ? change(page) : page));
}

export interface OptimisticPlan<V> {
  /** The cache entries the change touches (snapshotted, and their queries cancelled first). */
  touches(variables: V): readonly QueryKey[];
  /** Shows the change in the cache. */
  apply(client: QueryClient, variables: V): void;
  /** What to refetch once the server answered, either way. */
  invalidates(variables: V): readonly QueryKey[];
}

/**
 * `onMutate` / `onError` / `onSettled` for a mutation: cancel the touched queries (so a refetch
 * in flight cannot overwrite the optimistic state), snapshot, apply; on error put the snapshot
 * back; when settled invalidate, so the cache ends up as the server has it.
 */
export function optimisticHandlers<V>(client: QueryClient, plan: OptimisticPlan<V>) {
  return {
    onMutate: async (variables: V): Promise<Snapshot> => {
      const touched = plan.touches(variables);
      await Promise.all(touched.map((queryKey) => client.cancelQueries({ queryKey })));
      const snapshot = takeSnapshot(client, touched);
      plan.apply(client, variables);
      return snapshot;
    },
    onError: (_error: unknown, _variables: V, snapshot: Snapshot | undefined): void => {
      if (snapshot) restoreSnapshot(client, snapshot);
    },
    onSettled: async (_data: unknown, _error: unknown, variables: V): Promise<void> => {
      await Promise.all(plan.invalidates(variables).map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  };
}
