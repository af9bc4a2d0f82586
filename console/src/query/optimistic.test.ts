import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import type { Page } from '../api/types';
import {
  optimisticHandlers, prependToPage, removeFromPage, replaceInPage, restoreSnapshot, takeSnapshot, updatePages,
} from './optimistic';

interface Row { id: string; name: string }

const page = (items: Row[], extra: Partial<Page<Row>> = {}): Page<Row> =>
  ({ items, page: 1, size: 3, total: items.length, totalPages: 1, ...extra });

describe('page transforms', () => {
  it('replace one item, leaving the page untouched when it is not there', () => {
    const p = page([{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }]);
    expect(replaceInPage(p, 'b', (r) => ({ ...r, name: 'Bee' })).items).toEqual([{ id: 'a', name: 'A' }, { id: 'b', name: 'Bee' }]);
    expect(replaceInPage(p, 'z', (r) => r)).toBe(p);
  });

  it('remove items and lower the total and page count', () => {
    const p = page([{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }], { total: 4, totalPages: 2, size: 2 });
    expect(removeFromPage(p, new Set(['a']))).toMatchObject({ items: [{ id: 'b', name: 'B' }], total: 3, totalPages: 2 });
    expect(removeFromPage(p, new Set(['z']))).toBe(p);
  });

  it('prepend on a first page (the last item drops off a full page); other pages only count it', () => {
    const full = page([{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, { id: 'c', name: 'C' }]);
    const added = prependToPage(full, { id: 'new', name: 'N' });
    expect(added.items.map((r) => r.id)).toEqual(['new', 'a', 'b']);
    expect(added).toMatchObject({ total: 4, totalPages: 2 });
    const second = page([{ id: 'd', name: 'D' }], { page: 2, total: 4, totalPages: 2 });
    expect(prependToPage(second, { id: 'new', name: 'N' })).toMatchObject({ items: second.items, total: 5 });
  });
});

describe('snapshots', () => {
  it('restore exactly what every entry under the prefixes held', () => {
    const client = new QueryClient();
    const before = page([{ id: 'a', name: 'A' }]);
    client.setQueryData(['users', 't', 'list', { page: 1 }], before);
    client.setQueryData(['users', 't', 'list', { page: 2 }], page([], { page: 2 }));
    const snapshot = takeSnapshot(client, [['users', 't', 'list']]);
    updatePages<Row>(client, ['users', 't', 'list'], (p) => removeFromPage(p, new Set(['a'])));
    expect(client.getQueryData<Page<Row>>(['users', 't', 'list', { page: 1 }])?.items).toEqual([]);
    restoreSnapshot(client, snapshot);
    expect(client.getQueryData(['users', 't', 'list', { page: 1 }])).toEqual(before);
  });
});

describe('optimistic mutations', () => {
  const listKey = ['users', 't', 'list', { page: 1 }];
  const plan = {
    touches: () => [['users', 't', 'list']],
    apply: (c: QueryClient, id: string) =>
      updatePages<Row>(c, ['users', 't', 'list'], (p) => replaceInPage(p, id, (r) => ({ ...r, name: 'optimistic' }))),
    invalidates: () => [['users', 't', 'list']],
  };

  function run(client: QueryClient, mutationFn: (id: string) => Promise<unknown>) {
    const observer = new MutationObserver(client, { mutationFn, retry: false, ...optimisticHandlers(client, plan) });
    return observer.mutate('a').catch((e: unknown) => e);
  }

  it('show the change at once, and roll it back when the server refuses', async () => {
    const client = new QueryClient();
    const before = page([{ id: 'a', name: 'A' }]);
    client.setQueryData(listKey, before);
    let refuse!: (e: Error) => void;
    const done = run(client, () => new Promise((_, reject) => { refuse = reject; }));

    await vi.waitFor(() => expect(client.getQueryData<Page<Row>>(listKey)?.items[0]?.name).toBe('optimistic'));
    refuse(new ApiError(409, 'conflict', 'the user changed since you read it'));
    const error = await done;

    expect(error).toMatchObject({ message: 'the user changed since you read it' });
    expect(client.getQueryData(listKey)).toEqual(before);
    expect(client.getQueryState(listKey)?.isInvalidated).toBe(true); // and refetched when shown
  });

  it('keep the change and invalidate when the server agrees', async () => {
    const client = new QueryClient();
    client.setQueryData(listKey, page([{ id: 'a', name: 'A' }]));
    await run(client, async () => ({ id: 'a', name: 'optimistic' }));
    expect(client.getQueryData<Page<Row>>(listKey)?.items[0]?.name).toBe('optimistic');
    expect(client.getQueryState(listKey)?.isInvalidated).toBe(true);
  });
});
