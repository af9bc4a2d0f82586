import { describe, expect, it } from 'vitest';
import { keysToInvalidate, reactionTo, type Viewer } from './events';

const me: Viewer = { tenantId: 't1', userId: 'me' };

describe('invalidate events → query keys', () => {
  it('a user with an id: their detail (and permissions under it), the tenant\'s user lists and analytics', () => {
    expect(keysToInvalidate({ entity: 'user', id: 'u7' }, me)).toEqual([
      ['users', 't1', 'detail', 'u7'],
      ['users', 't1', 'list'],
      ['users', 't1', 'analytics'],
    ]);
  });

  it('the signed-in user: also their own data and the session (roles may have changed)', () => {
    expect(keysToInvalidate({ entity: 'user', id: 'me' }, me)).toEqual([
      ['users', 't1', 'detail', 'me'],
      ['users', 't1', 'list'],
      ['users', 't1', 'analytics'],
      ['me', 't1', 'me'],
      ['auth', 'session'],
    ]);
  });

  it('users, or a user without an id: the tenant\'s user lists and analytics', () => {
    const lists = [['users', 't1', 'list'], ['users', 't1', 'analytics']];
    expect(keysToInvalidate({ entity: 'users', id: null }, me)).toEqual(lists);
    expect(keysToInvalidate({ entity: 'user', id: null }, me)).toEqual(lists);
  });

  it('a tenant: its detail and the tenant lists, and the session when it is the viewer\'s own', () => {
    expect(keysToInvalidate({ entity: 'tenant', id: 't9' }, me)).toEqual([['tenants', 'detail', 't9'], ['tenants', 'list']]);
    expect(keysToInvalidate({ entity: 'tenant', id: 't1' }, me))
      .toEqual([['tenants', 'detail', 't1'], ['tenants', 'list'], ['auth', 'session']]);
  });

  it('anything else: everything of the viewer\'s tenant', () => {
    expect(keysToInvalidate({ entity: 'report', id: 'r1' }, me)).toEqual([['users', 't1'], ['roles', 't1'], ['me', 't1']]);
  });
});

describe('stream events → reactions', () => {
  it('the first ready does nothing; a ready after a reconnect invalidates everything', () => {
    expect(reactionTo('ready', '{}', me, false)).toEqual({ kind: 'none' });
    expect(reactionTo('ready', '{}', me, true)).toEqual({ kind: 'invalidate-all' });
  });

  it('resync invalidates everything', () => {
    expect(reactionTo('resync', '{"reason":"invalidations may have been lost"}', me, false)).toEqual({ kind: 'invalidate-all' });
  });

  it('invalidate parses the notice; an unreadable one invalidates everything rather than nothing', () => {
    expect(reactionTo('invalidate', JSON.stringify({ entity: 'users', id: null, tags: [], keys: [] }), me, false))
      .toEqual({ kind: 'invalidate', keys: [['users', 't1', 'list'], ['users', 't1', 'analytics']] });
    expect(reactionTo('invalidate', 'not json', me, false)).toEqual({ kind: 'invalidate-all' });
  });

  it('end signs out, except when the server is stopping', () => {
    expect(reactionTo('end', '{"reason":"session_ended"}', me, false)).toEqual({ kind: 'sign-out', reason: 'session_ended' });
    expect(reactionTo('end', '{"reason":"tenant_suspended"}', me, false)).toEqual({ kind: 'sign-out', reason: 'tenant_suspended' });
    expect(reactionTo('end', '{"reason":"server_stopping"}', me, false)).toEqual({ kind: 'reconnect' });
  });
});
