import { create } from 'zustand';
import { createJSONStorage, devtools, persist, type PersistOptions } from 'zustand/middleware';
import { immer } from 'zustand/middleware/immer';
import type { TenantPlan, TenantStatus, UserStatus } from '../api/types';

/**
 * The console's UI state: one store, browser-only. Server data never enters it (that is TanStack
 * Query's), and of what it holds only preferences, filters and sort orders are persisted
 * (`partializeUi`): never dialogs, selections, pages or anything that identifies a user or tenant.
 */

export type Theme = 'light' | 'dark' | 'system';
export type Language = 'en';
export const pageSizes = [10, 20, 50, 100] as const;
export type PageSize = (typeof pageSizes)[number];

export interface Preferences {
  theme: Theme;
  language: Language;
  pageSize: PageSize;
  sidebarCollapsed: boolean;
}

export type SortDirection = 'asc' | 'desc';
export interface Sort<C extends string> {
  column: C;
  direction: SortDirection;
}

export type UserSortColumn = 'createdAt' | 'email' | 'displayName' | 'status';
export type TenantSortColumn = 'createdAt' | 'name' | 'slug' | 'plan' | 'status';

export interface UserFilters {
  q: string;
  role: string;
  status: '' | UserStatus;
  createdFrom: string;
  createdTo: string;
}

export interface TenantFilters {
  q: string;
  plan: '' | TenantPlan;
  status: '' | TenantStatus;
}

/** The one dialog open at a time, if any. */
export type Modal =
  | { kind: 'user-create' }
  | { kind: 'user-edit'; userId: string }
  | { kind: 'user-delete'; userIds: string[] }
  | { kind: 'tenant-create' }
  | { kind: 'tenant-edit'; tenantId: string }
  | { kind: 'tenant-suspend'; tenantId: string }
  | { kind: 'devices-sign-out-all' };

export interface UiState {
  preferences: Preferences;
  users: {
    filters: UserFilters;
    sort: Sort<UserSortColumn>;
    page: number;
    selection: string[];
  };
  tenants: {
    filters: TenantFilters;
    sort: Sort<TenantSortColumn>;
    page: number;
  };
  modal: Modal | null;
  /** Why the user was signed out, for the sign-in page; not persisted. */
  signOutNotice: string | null;
}

export interface UiActions {
  setTheme(theme: Theme): void;
  setLanguage(language: Language): void;
  setPageSize(size: PageSize): void;
  setSidebarCollapsed(collapsed: boolean): void;

  setUserFilter<K extends keyof UserFilters>(name: K, value: UserFilters[K]): void;
  clearUserFilters(): void;
  sortUsersBy(column: UserSortColumn): void;
  setUsersPage(page: number): void;
  toggleUserSelected(userId: string): void;
  setUsersSelection(userIds: string[]): void;

  setTenantFilter<K extends keyof TenantFilters>(name: K, value: TenantFilters[K]): void;
  clearTenantFilters(): void;
  sortTenantsBy(column: TenantSortColumn): void;
  setTenantsPage(page: number): void;

  openModal(modal: Modal): void;
  closeModal(): void;
  setSignOutNotice(notice: string | null): void;
  /** Forgets everything tied to the signed-in user and tenant: filters, sorts, pages, selection, dialogs. */
  resetForSignOut(): void;
}

export type UiStore = UiState & UiActions;

export const defaultPreferences: Preferences = { theme: 'system', language: 'en', pageSize: 20, sidebarCollapsed: false };
export const emptyUserFilters: UserFilters = { q: '', role: '', status: '', createdFrom: '', createdTo: '' };
export const emptyTenantFilters: TenantFilters = { q: '', plan: '', status: '' };
const defaultUserSort: Sort<UserSortColumn> = { column: 'createdAt', direction: 'desc' };
const defaultTenantSort: Sort<TenantSortColumn> = { column: 'createdAt', direction: 'desc' };

export function initialUiState(): UiState {
  return {
    preferences: { ...defaultPreferences },
    users: { filters: { ...emptyUserFilters }, sort: { ...defaultUserSort }, page: 1, selection: [] },
    tenants: { filters: { ...emptyTenantFilters }, sort: { ...defaultTenantSort }, page: 1 },
    modal: null,
    signOutNotice: null,
  };
}

/** What survives a reload. */
export interface PersistedUi {
  preferences: Preferences;
  users: { filters: UserFilters; sort: Sort<UserSortColumn> };
  tenants: { filters: TenantFilters; sort: Sort<TenantSortColumn> };
}

export const UI_STORE_KEY = 'tierstate-ui';
export const UI_STORE_VERSION = 2;

export function partializeUi(state: UiState): PersistedUi {
  return {
    preferences: { ...state.preferences },
    users: { filters: { ...state.users.filters }, sort: { ...state.users.sort } },
    tenants: { filters: { ...state.tenants.filters }, sort: { ...state.tenants.sort } },
  };
}

/**
 * Version 1 (the first console) kept flat fields: `theme`, `pageSize`, `sidebarCollapsed`,
 * `userSearch`, `userStatus` and `userSort` as `"-createdAt"`. Version 2 groups preferences, adds
 * the language, and keeps filters and sort per table.
 */
export interface PersistedUiV1 {
  theme?: string;
  pageSize?: number;
  sidebarCollapsed?: boolean;
  userSearch?: string;
  userStatus?: string;
  userSort?: string;
}

/** Brings a persisted state of any earlier version to the current shape; unknown values get defaults. */
export function migrateUi(persisted: unknown, version: number): PersistedUi {
  const current = partializeUi(initialUiState());
  if (typeof persisted !== 'object' || persisted === null) return current;
  if (version === 1) {
    const v1 = persisted as PersistedUiV1;
    const sort = parseSort(v1.userSort, isUserSortColumn);
    return {
      preferences: {
        theme: isTheme(v1.theme) ? v1.theme : defaultPreferences.theme,
        language: defaultPreferences.language,
        pageSize: isPageSize(v1.pageSize) ? v1.pageSize : defaultPreferences.pageSize,
        sidebarCollapsed: typeof v1.sidebarCollapsed === 'boolean' ? v1.sidebarCollapsed : false,
      },
      users: {
        filters: {
          ...emptyUserFilters,
          q: typeof v1.userSearch === 'string' ? v1.userSearch : '',
          status: v1.userStatus === 'active' || v1.userStatus === 'suspended' ? v1.userStatus : '',
        },
        sort: sort ?? current.users.sort,
      },
      tenants: current.tenants,
    };
  }
  if (version === UI_STORE_VERSION) return persisted as PersistedUi;
  return current; // a version this code does not know: start over rather than guess
}

function parseSort<C extends string>(text: unknown, isColumn: (c: string) => c is C): Sort<C> | null {
  if (typeof text !== 'string' || text === '') return null;
  const descending = text.startsWith('-');
  const column = descending ? text.slice(1) : text;
  return isColumn(column) ? { column, direction: descending ? 'desc' : 'asc' } : null;
}

function isUserSortColumn(c: string): c is UserSortColumn {
  return c === 'createdAt' || c === 'email' || c === 'displayName' || c === 'status';
}

function isTheme(value: unknown): value is Theme {
  return value === 'light' || value === 'dark' || value === 'system';
}

export function isPageSize(value: unknown): value is PageSize {
  return (pageSizes as readonly unknown[]).includes(value);
}

/** Merges what was stored over the defaults, so fields added later get their default values. */
function mergeUi(persisted: unknown, current: UiStore): UiStore {
  const stored = (persisted ?? {}) as Partial<PersistedUi>;
  return {
    ...current,
    preferences: { ...current.preferences, ...stored.preferences },
    users: {
      ...current.users,
      filters: { ...current.users.filters, ...stored.users?.filters },
      sort: { ...current.users.sort, ...stored.users?.sort },
    },
    tenants: {
      ...current.tenants,
      filters: { ...current.tenants.filters, ...stored.tenants?.filters },
      sort: { ...current.tenants.sort, ...stored.tenants?.sort },
    },
  };
}

function nextSort<C extends string>(sort: Sort<C>, column: C): Sort<C> {
  if (sort.column !== column) return { column, direction: column === 'createdAt' ? 'desc' : 'asc' };
  return { column, direction: sort.direction === 'asc' ? 'desc' : 'asc' };
}

export const persistOptions: PersistOptions<UiStore, PersistedUi> = {
  name: UI_STORE_KEY,
  version: UI_STORE_VERSION,
  storage: createJSONStorage(() => localStorage),
  partialize: partializeUi,
  migrate: migrateUi as PersistOptions<UiStore, PersistedUi>['migrate'],
  merge: mergeUi as PersistOptions<UiStore, PersistedUi>['merge'],
};

export function createUiStore() {
  return create<UiStore>()(
    devtools(
      persist(
        immer((set) => ({
          ...initialUiState(),
          setTheme: (theme) => set((s) => { s.preferences.theme = theme; }, false, 'preferences/theme'),
          setLanguage: (language) => set((s) => { s.preferences.language = language; }, false, 'preferences/language'),
          setPageSize: (size) => set((s) => {
            s.preferences.pageSize = size;
            s.users.page = 1;
            s.tenants.page = 1;
          }, false, 'preferences/pageSize'),
          setSidebarCollapsed: (collapsed) =>
            set((s) => { s.preferences.sidebarCollapsed = collapsed; }, false, 'preferences/sidebar'),

          setUserFilter: (name, value) => set((s) => {
            s.users.filters[name] = value;
            s.users.page = 1;
            s.users.selection = []; // the selected rows may no longer be shown
          }, false, 'users/filter'),
          clearUserFilters: () => set((s) => {
            s.users.filters = { ...emptyUserFilters };
            s.users.page = 1;
            s.users.selection = [];
          }, false, 'users/clearFilters'),
          sortUsersBy: (column) => set((s) => {
            s.users.sort = nextSort(s.users.sort, column);
            s.users.page = 1;
          }, false, 'users/sort'),
          setUsersPage: (page) => set((s) => { s.users.page = Math.max(1, page); }, false, 'users/page'),
          toggleUserSelected: (userId) => set((s) => {
            const at = s.users.selection.indexOf(userId);
            if (at >= 0) s.users.selection.splice(at, 1);
            else s.users.selection.push(userId);
          }, false, 'users/toggleSelected'),
          setUsersSelection: (userIds) => set((s) => { s.users.selection = [...userIds]; }, false, 'users/selection'),

          setTenantFilter: (name, value) => set((s) => {
            s.tenants.filters[name] = value;
            s.tenants.page = 1;
          }, false, 'tenants/filter'),
          clearTenantFilters: () => set((s) => {
            s.tenants.filters = { ...emptyTenantFilters };
            s.tenants.page = 1;
          }, false, 'tenants/clearFilters'),
          sortTenantsBy: (column) => set((s) => {
            s.tenants.sort = nextSort(s.tenants.sort, column);
            s.tenants.page = 1;
          }, false, 'tenants/sort'),
          setTenantsPage: (page) => set((s) => { s.tenants.page = Math.max(1, page); }, false, 'tenants/page'),

          openModal: (modal) => set((s) => { s.modal = modal; }, false, 'modal/open'),
          closeModal: () => set((s) => { s.modal = null; }, false, 'modal/close'),
          setSignOutNotice: (notice) => set((s) => { s.signOutNotice = notice; }, false, 'auth/notice'),
          resetForSignOut: () => set((s) => {
            const fresh = initialUiState();
            s.users = fresh.users;
            s.tenants = fresh.tenants;
            s.modal = null;
          }, false, 'auth/resetForSignOut'),
        })),
        persistOptions,
      ),
      { name: 'tierstate-ui', enabled: import.meta.env.DEV },
    ),
  );
}

/** The console's UI store. */
export const useUiStore = createUiStore();

/** The users list's sort as the API writes it: `email`, `-createdAt`. */
export function sortParam<C extends string>(sort: Sort<C>): string {
  return sort.direction === 'desc' ? `-${sort.column}` : sort.column;
}
