import { QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { sessionKeys, userKeys } from '../query/keys';
import { UI_STORE_KEY, useUiStore } from '../state/uiStore';
import { endSession, etags, queryClient } from './services';

const session = {
  user: { id: 'u-1', email: 'alice@acme.test', displayName: 'Alice' },
  tenant: { id: 't-1', slug: 'acme', name: 'Acme' },
  roles: ['tenant_admin'],
  permissions: ['users:read', 'users:write'],
  session: null,
  degraded: false,
};

describe('signing out', () => {
  it('forgets all server data, ETags and tenant-specific UI state, and stores nothing of the user', () => {
    localStorage.clear();
    queryClient.setQueryData(sessionKeys.session(), session);
    queryClient.setQueryData(userKeys.detail('t-1', 'u-2'), { id: 'u-2', email: 'bob@acme.test' });
    etags.set('/api/v1/tenants/t-1/users/u-2', '"x"', { id: 'u-2' });
    const ui = useUiStore.getState();
    ui.setTheme('dark');
    ui.setUserFilter('q', 'bob@acme.test');
    ui.setUsersSelection(['u-2']);
    ui.openModal({ kind: 'user-edit', userId: 'u-2' });

    // The app watches the session query: it must see the sign-out (and so show the sign-in page).
    const app = new QueryObserver(queryClient, { queryKey: sessionKeys.session(), queryFn: async () => session, staleTime: Infinity });
    const seen: unknown[] = [];
    const unsubscribe = app.subscribe((result) => seen.push(result.data));

    endSession('signed-out');

    expect(seen.at(-1)).toBeNull();
    unsubscribe();
    expect(queryClient.getQueryData(sessionKeys.session())).toBeNull();
    expect(queryClient.getQueryCache().getAll().map((q) => q.queryKey)).toEqual([sessionKeys.session()]);
    expect(etags.size).toBe(0);
    const after = useUiStore.getState();
    expect(after.users.filters.q).toBe('');
    expect(after.users.selection).toEqual([]);
    expect(after.modal).toBeNull();
    expect(after.preferences.theme).toBe('dark');
    expect(after.signOutNotice).toBe('You have signed out.');

    // Only the UI store is in storage, and nothing in it names the user, the tenant or a permission.
    expect(Object.keys(localStorage)).toEqual([UI_STORE_KEY]);
    const stored = localStorage.getItem(UI_STORE_KEY) ?? '';
    for (const secret of ['u-1', 'u-2', 't-1', 'alice', 'bob', 'acme', 'users:read', 'tenant_admin']) {
      expect(stored).not.toContain(secret);
    }
    expect(sessionStorage.length).toBe(0);
    expect(document.cookie).toBe('');
  });

  it('an anonymous visitor whose refresh failed sees no "session ended" notice', () => {
    queryClient.clear();
    useUiStore.getState().setSignOutNotice(null);
    endSession('expired');
    expect(useUiStore.getState().signOutNotice).toBeNull();
    expect(queryClient.getQueryData(sessionKeys.session())).toBeNull();
  });

  it('a session ended twice (the stream\'s end, then a failed refresh) keeps the first reason', () => {
    queryClient.setQueryData(sessionKeys.session(), session);
    endSession('tenant_suspended');
    endSession('expired');
    expect(useUiStore.getState().signOutNotice).toBe('Your organisation has been suspended. Contact your administrator.');
  });
});
