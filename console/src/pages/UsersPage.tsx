import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { UserListParams } from '../api/endpoints';
import type { User } from '../api/types';
import { Layout } from '../app/Layout';
import { useIntl } from '../app/useIntl';
import { can, useSignedIn } from '../auth/useSession';
import { ErrorAlert, formatDateTime } from '../components/Feedback';
import { Pager } from '../components/Pager';
import { SortableHeader } from '../components/SortableHeader';
import { useDebounced } from '../components/useDebounced';
import { queries } from '../query/queries';
import { isPageSize, pageSizes, sortParam, useUiStore, type UserFilters } from '../state/uiStore';
import { DeleteUsersDialog, UserFormDialog } from './UserDialogs';

/** The users admin page: filters, a sortable, pageable table with selection, and dialogs to create, edit and delete. */
export function UsersPage() {
  const session = useSignedIn();
  const tenantId = session.tenant.id;
  const intl = useIntl();
  const { filters, sort, page, selection, pageSize, modal } = useUiStore(useShallow((s) => ({
    filters: s.users.filters,
    sort: s.users.sort,
    page: s.users.page,
    selection: s.users.selection,
    pageSize: s.preferences.pageSize,
    modal: s.modal,
  })));
  const actions = useUiStore(useShallow((s) => ({
    sortUsersBy: s.sortUsersBy,
    setUsersPage: s.setUsersPage,
    toggleUserSelected: s.toggleUserSelected,
    setUsersSelection: s.setUsersSelection,
    openModal: s.openModal,
    closeModal: s.closeModal,
    setPageSize: s.setPageSize,
  })));
  const [announcement, setAnnouncement] = useState('');

  const params: UserListParams = {
    ...filters, sort: sortParam(sort), page, size: pageSize,
  };
  const list = useQuery(queries.users(tenantId, params));
  const users = list.data?.items ?? [];

  // A page beyond the end (after deletions, or a smaller page count): go to the last one.
  useEffect(() => {
    if (list.data && !list.isPlaceholderData && page > Math.max(1, list.data.totalPages)) {
      actions.setUsersPage(Math.max(1, list.data.totalPages));
    }
  }, [list.data, list.isPlaceholderData, page, actions]);

  const mayWrite = can(session, 'users:write');
  const mayDelete = can(session, 'users:delete');
  const selectable = users.filter((u) => !isPending(u) && u.id !== session.user.id);
  const allSelected = selectable.length > 0 && selectable.every((u) => selection.includes(u.id));
  const pageSizeId = useId();

  const editing = modal?.kind === 'user-edit' ? modal.userId : null;
  const deleting = modal?.kind === 'user-delete' ? modal.userIds : null;
  const byId = useMemo(() => new Map(users.map((u) => [u.id, u])), [users]);

  return (
    <Layout title="Users">
      <UserFiltersForm tenantId={tenantId} />

      <div className="toolbar">
        {mayWrite ? (
          <button type="button" className="button button-primary" onClick={() => actions.openModal({ kind: 'user-create' })}>
            New user
          </button>
        ) : null}
        {mayDelete ? (
          <button
            type="button"
            className="button button-danger"
            disabled={selection.length === 0}
            onClick={() => actions.openModal({ kind: 'user-delete', userIds: [...selection] })}
          >
            Delete selected{selection.length > 0 ? ` (${selection.length})` : ''}
          </button>
        ) : null}
        <div className="field field-inline">
          <label htmlFor={pageSizeId}>Rows per page</label>
          <select
            id={pageSizeId}
            value={pageSize}
            onChange={(e) => {
              const size = Number(e.target.value);
              if (isPageSize(size)) actions.setPageSize(size);
            }}
          >
            {pageSizes.map((size) => <option key={size} value={size}>{size}</option>)}
          </select>
        </div>
      </div>

      <p role="status" className="announcement">{announcement}</p>
      <ErrorAlert error={list.error} prefix="The users could not be loaded" />

      <div className="table-wrap">
        <table aria-busy={list.isFetching} className={list.isPlaceholderData ? 'table table-stale' : 'table'}>
          <caption>Users</caption>
          <thead>
            <tr>
              {mayDelete ? (
                <th scope="col" className="col-select">
                  <input
                    type="checkbox"
                    aria-label="Select all users on this page"
                    checked={allSelected}
                    disabled={selectable.length === 0}
                    onChange={() => actions.setUsersSelection(allSelected ? [] : selectable.map((u) => u.id))}
                  />
                </th>
              ) : null}
              <SortableHeader column="email" label="E-mail" sort={sort} onSort={actions.sortUsersBy} />
              <SortableHeader column="displayName" label="Name" sort={sort} onSort={actions.sortUsersBy} />
              <th scope="col">Roles</th>
              <SortableHeader column="status" label="Status" sort={sort} onSort={actions.sortUsersBy} />
              <SortableHeader column="createdAt" label="Created" sort={sort} onSort={actions.sortUsersBy} />
              {mayWrite || mayDelete ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.isPending ? (
              <tr><td colSpan={7}>Loading users…</td></tr>
            ) : users.length === 0 && !list.isError ? (
              <tr><td colSpan={7}>No users match these filters.</td></tr>
            ) : users.map((user) => {
              const pending = isPending(user);
              const self = user.id === session.user.id;
              return (
                <tr key={user.id} aria-busy={pending || undefined} className={pending ? 'row-pending' : undefined}>
                  {mayDelete ? (
                    <td className="col-select">
                      <input
                        type="checkbox"
                        aria-label={`Select ${user.email}`}
                        checked={selection.includes(user.id)}
                        disabled={pending || self}
                        onChange={() => actions.toggleUserSelected(user.id)}
                      />
                    </td>
                  ) : null}
                  <td>{user.email}{self ? <span className="tag">you</span> : null}</td>
                  <td>{user.displayName}</td>
                  <td>{user.roles.join(', ')}</td>
                  <td><span className={`badge badge-${user.status}`}>{user.status === 'active' ? 'Active' : 'Suspended'}</span></td>
                  <td>{pending ? 'Saving…' : formatDateTime(user.createdAt, intl.locale, intl.timeZone)}</td>
                  {mayWrite || mayDelete ? (
                    <td className="actions">
                      {mayWrite ? (
                        <button
                          type="button"
                          className="button button-small"
                          disabled={pending}
                          aria-label={`Edit ${user.email}`}
                          onClick={() => actions.openModal({ kind: 'user-edit', userId: user.id })}
                        >
                          Edit
                        </button>
                      ) : null}
                      {mayDelete ? (
                        <button
                          type="button"
                          className="button button-small button-danger"
                          disabled={pending || self}
                          aria-label={`Delete ${user.email}`}
                          onClick={() => actions.openModal({ kind: 'user-delete', userIds: [user.id] })}
                        >
                          Delete
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      {list.data ? (
        <Pager
          label="Users pages"
          page={page}
          totalPages={list.data.totalPages}
          total={list.data.total}
          noun={list.data.total === 1 ? 'user' : 'users'}
          onPage={actions.setUsersPage}
        />
      ) : null}

      {modal?.kind === 'user-create' ? (
        <UserFormDialog
          mode="create"
          onClose={actions.closeModal}
          onDone={(email) => setAnnouncement(`User ${email} created.`)}
        />
      ) : null}
      {editing !== null ? (
        <UserFormDialog
          mode="edit"
          userId={editing}
          listed={byId.get(editing)}
          onClose={actions.closeModal}
          onDone={(email) => setAnnouncement(`User ${email} saved.`)}
        />
      ) : null}
      {deleting !== null ? (
        <DeleteUsersDialog
          userIds={deleting}
          users={deleting.map((id) => byId.get(id)).filter((u): u is User => u !== undefined)}
          onClose={actions.closeModal}
          onDone={(count) => {
            actions.setUsersSelection(selection.filter((id) => !deleting.includes(id)));
            setAnnouncement(count === 1 ? 'User deleted.' : `${count} users deleted.`);
          }}
        />
      ) : null}
    </Layout>
  );
}

function isPending(user: User): boolean {
  return user.id.startsWith('pending-');
}

/** The filters, kept in the UI store (persisted); any change clears the selection and goes to page 1. */
function UserFiltersForm({ tenantId }: { tenantId: string }) {
  const { filters, setFilter, clear } = useUiStore(useShallow((s) => ({
    filters: s.users.filters, setFilter: s.setUserFilter, clear: s.clearUserFilters,
  })));
  const roles = useQuery(queries.roles(tenantId));
  const [text, setText] = useState(filters.q);
  const q = useDebounced(text.trim());
  useEffect(() => {
    if (q !== filters.q) setFilter('q', q);
  }, [q]); // only when the typed text settles: Clear filters must not bring back the last search

  const ids = { q: useId(), role: useId(), status: useId(), from: useId(), to: useId() };
  const set = <K extends keyof UserFilters>(name: K) => (value: UserFilters[K]) => setFilter(name, value);

  return (
    <form role="search" aria-label="Filter users" className="filters" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={ids.q}>Search</label>
        <input id={ids.q} type="search" value={text} placeholder="E-mail or name" onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.role}>Role</label>
        <select id={ids.role} value={filters.role} onChange={(e) => set('role')(e.target.value)}>
          <option value="">Any role</option>
          {(roles.data ?? []).map((role) => <option key={role.name} value={role.name}>{role.name}</option>)}
          {filters.role !== '' && !roles.data?.some((r) => r.name === filters.role)
            ? <option value={filters.role}>{filters.role}</option> : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
          value={filters.status}
          onChange={(e) => set('status')(e.target.value === 'active' || e.target.value === 'suspended' ? e.target.value : '')}
        >
          <option value="">Any status</option>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.from}>Created from</label>
        <input id={ids.from} type="date" value={filters.createdFrom} max={filters.createdTo || undefined}
          onChange={(e) => set('createdFrom')(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.to}>Created to</label>
        <input id={ids.to} type="date" value={filters.createdTo} min={filters.createdFrom || undefined}
          onChange={(e) => set('createdTo')(e.target.value)} />
      </div>
      <button
        type="button"
        className="button"
        onClick={() => {
          setText('');
          clear();
        }}
      >
        Clear filters
      </button>
    </form>
  );
}
