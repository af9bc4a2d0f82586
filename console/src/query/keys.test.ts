import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { UserListParams } from '../api/endpoints';
import { meKeys, roleKeys, sessionKeys, tenantKeys, tenantScopedPrefixes, userKeys } from './keys';

const params: UserListParams = { q: '', role: '', status: '', createdFrom: '', createdTo: '', sort: '-createdAt', page: 1, size: 20 };

describe('query-key factories', () => {
  it('build the keys of the contract', () => {
    expect(sessionKeys.session()).toEqual(['auth', 'session']);
    expect(userKeys.list('t1', params)).toEqual(['users', 't1', 'list', params]);
    expect(userKeys.detail('t1', 'u1')).toEqual(['users', 't1', 'detail', 'u1']);
    expect(userKeys.permissions('t1', 'u1')).toEqual(['users', 't1', 'detail', 'u1', 'permissions']);
    expect(roleKeys.all('t1')).toEqual(['roles', 't1']);
    expect(tenantKeys.list({ q: '', plan: 'pro', status: '', sort: 'name', page: 1, size: 20 }))
      .toEqual(['tenants', 'list', { q: '', plan: 'pro', status: '', sort: 'name', page: 1, size: 20 }]);
    expect(tenantKeys.detail('t9')).toEqual(['tenants', 'detail', 't9']);
    expect(meKeys.preferences('t1', 'u1')).toEqual(['me', 't1', 'u1', 'preferences']);
    expect(meKeys.sessions('t1', 'u1')).toEqual(['me', 't1', 'u1', 'sessions']);
  });

  it('put the tenant in every key of tenant data, so tenants never share entries', () => {
    expect(userKeys.list('t1', params)).not.toEqual(userKeys.list('t2', params));
    expect(userKeys.detail('t1', 'u1')).not.toEqual(userKeys.detail('t2', 'u1'));
    for (const key of [userKeys.lists('t1'), userKeys.detail('t1', 'x'), roleKeys.all('t1'), meKeys.all('t1', 'u')]) {
      expect(key[1]).toBe('t1');
    }
  });

  it('nest, so invalidating a prefix reaches exactly the entries under it', async () => {
    const client = new QueryClient();
    const keys = [
      userKeys.list('t1', params), userKeys.list('t1', { ...params, page: 2 }), userKeys.detail('t1', 'u1'),
      userKeys.permissions('t1', 'u1'), userKeys.detail('t1', 'u2'), userKeys.list('t2', params), roleKeys.all('t1'),
    ];
    for (const key of keys) client.setQueryData(key, 'x');

    await client.invalidateQueries({ queryKey: userKeys.detail('t1', 'u1') });
    const stale = () => client.getQueryCache().getAll().filter((q) => q.state.isInvalidated).map((q) => q.queryKey);
    expect(stale()).toEqual([userKeys.detail('t1', 'u1'), userKeys.permissions('t1', 'u1')]);

    await client.invalidateQueries({ queryKey: userKeys.lists('t1') });
    expect(stale()).toHaveLength(4);
    expect(stale()).not.toContainEqual(userKeys.list('t2', params));
  });

  it('list every prefix holding one tenant\'s data', () => {
    expect(tenantScopedPrefixes('t1')).toEqual([['users', 't1'], ['roles', 't1'], ['me', 't1']]);
  });
});
