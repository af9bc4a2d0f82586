import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { NewTenant, NewUser, TenantChanges, UserChanges } from '../api/endpoints';
import type { IntlPreferences, Tenant, User } from '../api/types';
import { ep } from '../app/services';
import { meKeys, tenantKeys, userKeys } from './keys';
import { optimisticHandlers, prependToPage, removeFromPage, replaceInPage, updatePages } from './optimistic';

let temporaryIds = 0;

/** Creates a user; the new row shows at once on first pages, marked as pending until the server answers. */
export function useCreateUser(tenantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (user: NewUser) => ep.createUser(tenantId, user),
    ...optimisticHandlers<NewUser>(client, {
      touches: () => [userKeys.lists(tenantId)],
      apply: (c, user) => {
        const now = new Date().toISOString();
        const pending: User = {
          id: `pending-${++temporaryIds}`, tenantId, email: user.email.trim().toLowerCase(),
          displayName: user.displayName, status: 'active', roles: user.roles ?? ['member'],
          createdAt: now, updatedAt: now, version: 0,
        };
        updatePages<User>(c, userKeys.lists(tenantId), (page) => prependToPage(page, pending));
      },
      invalidates: () => [userKeys.lists(tenantId), userKeys.analyticsAll(tenantId)],
    }),
  });
}

export interface UserUpdate {
  userId: string;
  changes: UserChanges;
}

export function useUpdateUser(tenantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, changes }: UserUpdate) => ep.updateUser(tenantId, userId, changes),
    ...optimisticHandlers<UserUpdate>(client, {
      touches: ({ userId }) => [userKeys.lists(tenantId), userKeys.detail(tenantId, userId)],
      apply: (c, { userId, changes }) => {
        const change = (user: User): User => ({ ...user, ...changes });
        updatePages<User>(c, userKeys.lists(tenantId), (page) => replaceInPage(page, userId, change));
        c.setQueryData<User>(userKeys.detail(tenantId, userId), (user) => (user ? change(user) : user));
      },
      invalidates: ({ userId }) => [
        userKeys.lists(tenantId), userKeys.detail(tenantId, userId), userKeys.analyticsAll(tenantId),
      ],
    }),
  });
}

/** Deletes one user or several (the selection); each is its own request. */
export function useDeleteUsers(tenantId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (userIds: string[]) => {
      for (const userId of userIds) await ep.deleteUser(tenantId, userId);
    },
    ...optimisticHandlers<string[]>(client, {
      touches: () => [userKeys.lists(tenantId)],
      apply: (c, userIds) =>
        updatePages<User>(c, userKeys.lists(tenantId), (page) => removeFromPage(page, new Set(userIds))),
      invalidates: (userIds) => [
        userKeys.lists(tenantId), userKeys.analyticsAll(tenantId), ...userIds.map((id) => userKeys.detail(tenantId, id)),
      ],
    }),
  });
}

export function useCreateTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (tenant: NewTenant) => ep.createTenant(tenant),
    ...optimisticHandlers<NewTenant>(client, {
      touches: () => [tenantKeys.lists()],
      apply: (c, tenant) => {
        const now = new Date().toISOString();
        const pending: Tenant = {
          id: `pending-${++temporaryIds}`, slug: tenant.slug, name: tenant.name, plan: tenant.plan ?? 'free',
          status: 'active', userCount: 0, createdAt: now, updatedAt: now, version: 0,
        };
        updatePages<Tenant>(c, tenantKeys.lists(), (page) => prependToPage(page, pending));
      },
      invalidates: () => [tenantKeys.lists()],
    }),
  });
}

export interface TenantUpdate {
  tenantId: string;
  changes: TenantChanges;
}

export function useUpdateTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ tenantId, changes }: TenantUpdate) => ep.updateTenant(tenantId, changes),
    ...optimisticHandlers<TenantUpdate>(client, {
      touches: ({ tenantId }) => [tenantKeys.lists(), tenantKeys.detail(tenantId)],
      apply: (c, { tenantId, changes }) => {
        const change = (tenant: Tenant): Tenant => ({ ...tenant, ...changes });
        updatePages<Tenant>(c, tenantKeys.lists(), (page) => replaceInPage(page, tenantId, change));
        c.setQueryData<Tenant>(tenantKeys.detail(tenantId), (tenant) => (tenant ? change(tenant) : tenant));
      },
      invalidates: ({ tenantId }) => [tenantKeys.lists(), tenantKeys.detail(tenantId)],
    }),
  });
}

export function useUpdatePreferences(tenantId: string, userId: string) {
  const client = useQueryClient();
  const key = meKeys.preferences(tenantId, userId);
  return useMutation({
    mutationFn: (changes: { locale?: string; timeZone?: string }) => ep.updatePreferences(changes),
    ...optimisticHandlers<{ locale?: string; timeZone?: string }>(client, {
      touches: () => [key],
      apply: (c, changes) =>
        c.setQueryData<IntlPreferences>(key, (prefs) => (prefs ? { ...prefs, ...changes } : prefs)),
      invalidates: () => [key],
    }),
  });
}

/** Ends one of the user's sessions; the row goes at once. */
export function useSignOutDevice(tenantId: string, userId: string) {
  const client = useQueryClient();
  const key = meKeys.sessions(tenantId, userId);
  return useMutation({
    mutationFn: (id: string) => ep.signOutDevice(id),
    ...optimisticHandlers<string>(client, {
      touches: () => [key],
      apply: (c, id) =>
        c.setQueryData<Array<{ id: string }>>(key, (items) => items?.filter((item) => item.id !== id)),
      invalidates: () => [key],
    }),
  });
}
