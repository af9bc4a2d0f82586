import { beforeEach, describe, expect, it } from 'vitest';
import {
  createUiStore, initialUiState, migrateUi, partializeUi, UI_STORE_KEY, UI_STORE_VERSION, type PersistedUiV1,
} from './uiStore';

beforeEach(() => localStorage.clear());

describe('persisting the UI store', () => {
  it('keeps preferences, filters and sort; never dialogs, selections, pages or notices', () => {
    const store = createUiStore();
    const s = store.getState();
    s.setTheme('dark');
    s.setPageSize(50);
    s.setUserFilter('status', 'suspended');
    s.sortUsersBy('email');
    s.setTenantFilter('plan', 'pro');
    s.setUsersPage(3);
    s.toggleUserSelected('user-1');
    s.openModal({ kind: 'user-edit', userId: 'user-1' });
    s.setSignOutNotice('You have signed out.');

    const saved = JSON.parse(localStorage.getItem(UI_STORE_KEY) ?? 'null') as { state: object; version: number };
    expect(saved.version).toBe(UI_STORE_VERSION);
    expect(saved.state).toEqual({
      preferences: { theme: 'dark', language: 'en', pageSize: 50, sidebarCollapsed: false },
      users: {
        filters: { q: '', role: '', status: 'suspended', createdFrom: '', createdTo: '' },
        sort: { column: 'email', direction: 'asc' },
      },
      tenants: { filters: { q: '', plan: 'pro', status: '' }, sort: { column: 'createdAt', direction: 'desc' } },
    });
    expect(JSON.stringify(saved)).not.toContain('user-1');
  });

  it('partialize leaves out everything but preferences, filters and sort', () => {
    const state = initialUiState();
    state.modal = { kind: 'tenant-edit', tenantId: 't-1' };
    state.users.selection = ['u-1'];
    expect(Object.keys(partializeUi(state)).sort()).toEqual(['preferences', 'tenants', 'users']);
    expect(Object.keys(partializeUi(state).users).sort()).toEqual(['filters', 'sort']);
  });

  it('restores a saved state into a new store (a reload)', async () => {
    const first = createUiStore();
    first.getState().setTheme('light');
    first.getState().setUserFilter('role', 'tenant_admin');
    const second = createUiStore();
    await second.persist.rehydrate();
    expect(second.getState().preferences.theme).toBe('light');
    expect(second.getState().users.filters.role).toBe('tenant_admin');
    expect(second.getState().modal).toBeNull();
  });
});

describe('migrating the persisted UI store', () => {
  const v1: PersistedUiV1 = {
    theme: 'dark',
    pageSize: 50,
    sidebarCollapsed: true,
    userSearch: 'alice',
    userStatus: 'suspended',
    userSort: '-email',
  };

  it('moves a version-1 state to the current shape', () => {
    expect(migrateUi(v1, 1)).toEqual({
      preferences: { theme: 'dark', language: 'en', pageSize: 50, sidebarCollapsed: true },
      users: {
        filters: { q: 'alice', role: '', status: 'suspended', createdFrom: '', createdTo: '' },
        sort: { column: 'email', direction: 'desc' },
      },
      tenants: { filters: { q: '', plan: '', status: '' }, sort: { column: 'createdAt', direction: 'desc' } },
    });
  });

  it('replaces values version 1 allowed but this version does not with defaults', () => {
    const migrated = migrateUi({ theme: 'sepia', pageSize: 7, userSort: 'password', userStatus: 'gone' }, 1);
    expect(migrated.preferences.theme).toBe('system');
    expect(migrated.preferences.pageSize).toBe(20);
    expect(migrated.users.sort).toEqual({ column: 'createdAt', direction: 'desc' });
    expect(migrated.users.filters.status).toBe('');
  });

  it('a store started over a version-1 entry in localStorage comes up migrated', async () => {
    localStorage.setItem(UI_STORE_KEY, JSON.stringify({ state: v1, version: 1 }));
    const store = createUiStore();
    await store.persist.rehydrate();
    const s = store.getState();
    expect(s.preferences).toEqual({ theme: 'dark', language: 'en', pageSize: 50, sidebarCollapsed: true });
    expect(s.users.filters.q).toBe('alice');
    expect(s.users.sort).toEqual({ column: 'email', direction: 'desc' });
    // ...and is saved back in the current version.
    const saved = JSON.parse(localStorage.getItem(UI_STORE_KEY) ?? '{}') as { version: number };
    expect(saved.version).toBe(UI_STORE_VERSION);
  });

  it('starts over from defaults for a version it does not know', () => {
    expect(migrateUi({ anything: true }, 99)).toEqual(partializeUi(initialUiState()));
  });
});

describe('UI store behaviour', () => {
  it('clears the selection and goes to page 1 when a filter changes', () => {
    const store = createUiStore();
    const s = store.getState();
    s.setUsersSelection(['a', 'b']);
    s.setUsersPage(4);
    s.setUserFilter('q', 'bob');
    expect(store.getState().users.selection).toEqual([]);
    expect(store.getState().users.page).toBe(1);
  });

  it('sorting the same column again flips the direction', () => {
    const store = createUiStore();
    store.getState().sortUsersBy('email');
    expect(store.getState().users.sort).toEqual({ column: 'email', direction: 'asc' });
    store.getState().sortUsersBy('email');
    expect(store.getState().users.sort).toEqual({ column: 'email', direction: 'desc' });
  });

  it('sign-out forgets filters, sorts, selection and dialogs but keeps the browser preferences', () => {
    const store = createUiStore();
    const s = store.getState();
    s.setTheme('dark');
    s.setUserFilter('q', 'alice@acme.test');
    s.setTenantFilter('q', 'globex');
    s.setUsersSelection(['u-1']);
    s.openModal({ kind: 'user-create' });
    s.resetForSignOut();
    const after = store.getState();
    expect(after.preferences.theme).toBe('dark');
    expect(after.users.filters.q).toBe('');
    expect(after.tenants.filters.q).toBe('');
    expect(after.users.selection).toEqual([]);
    expect(after.modal).toBeNull();
    expect(localStorage.getItem(UI_STORE_KEY)).not.toContain('alice');
  });
});
