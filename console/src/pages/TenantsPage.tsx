import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { TenantListParams } from '../api/endpoints';
import type { Tenant, TenantPlan, TenantStatus } from '../api/types';
import { Layout } from '../app/Layout';
import { useIntl } from '../app/useIntl';
import { Dialog, DialogButtons } from '../components/Dialog';
import { ErrorAlert, formatDateTime } from '../components/Feedback';
import { Pager } from '../components/Pager';
import { SortableHeader } from '../components/SortableHeader';
import { useDebounced } from '../components/useDebounced';
import { useCreateTenant, useUpdateTenant } from '../query/mutations';
import { queries } from '../query/queries';
import { sortParam, useUiStore } from '../state/uiStore';

const plans: Array<[TenantPlan, string]> = [['free', 'Free'], ['pro', 'Pro'], ['enterprise', 'Enterprise']];
const planLabel = (plan: TenantPlan) => plans.find(([p]) => p === plan)?.[1] ?? plan;
const asPlan = (value: string): '' | TenantPlan => (value === 'free' || value === 'pro' || value === 'enterprise' ? value : '');
const asStatus = (value: string): '' | TenantStatus => (value === 'active' || value === 'suspended' ? value : '');

/** Tenants, for platform administrators only (the route is not offered to anyone else). */
export function TenantsPage() {
  const intl = useIntl();
  const { filters, sort, page, pageSize, modal } = useUiStore(useShallow((s) => ({
    filters: s.tenants.filters, sort: s.tenants.sort, page: s.tenants.page, pageSize: s.preferences.pageSize, modal: s.modal,
  })));
  const actions = useUiStore(useShallow((s) => ({
    sortTenantsBy: s.sortTenantsBy, setTenantsPage: s.setTenantsPage, openModal: s.openModal, closeModal: s.closeModal,
  })));
  const [announcement, setAnnouncement] = useState('');
  const update = useUpdateTenant();

  const params: TenantListParams = { ...filters, sort: sortParam(sort), page, size: pageSize };
  const list = useQuery(queries.tenants(params));
  const tenants = list.data?.items ?? [];
  const byId = useMemo(() => new Map(tenants.map((t) => [t.id, t])), [tenants]);

  const activate = (tenant: Tenant) =>
    update.mutate({ tenantId: tenant.id, changes: { status: 'active' } },
      { onSuccess: () => setAnnouncement(`${tenant.name} activated.`) });

  const editing = modal?.kind === 'tenant-edit' ? byId.get(modal.tenantId) : undefined;
  const suspending = modal?.kind === 'tenant-suspend' ? byId.get(modal.tenantId) : undefined;

  return (
    <Layout title="Tenants">
      <TenantFiltersForm />
      <div className="toolbar">
        <button type="button" className="button button-primary" onClick={() => actions.openModal({ kind: 'tenant-create' })}>
          New tenant
        </button>
      </div>
      <p role="status" className="announcement">{announcement}</p>
      <ErrorAlert error={list.error} prefix="The tenants could not be loaded" />
      <ErrorAlert error={modal === null ? update.error : null} prefix="The tenant was not changed" />
      <div className="table-wrap">
        <table className={list.isPlaceholderData ? 'table table-stale' : 'table'} aria-busy={list.isFetching}>
          <caption>Tenants</caption>
          <thead>
            <tr>
              <SortableHeader column="name" label="Name" sort={sort} onSort={actions.sortTenantsBy} />
              <SortableHeader column="slug" label="Slug" sort={sort} onSort={actions.sortTenantsBy} />
              <SortableHeader column="plan" label="Plan" sort={sort} onSort={actions.sortTenantsBy} />
              <SortableHeader column="status" label="Status" sort={sort} onSort={actions.sortTenantsBy} />
              <th scope="col">Users</th>
              <SortableHeader column="createdAt" label="Created" sort={sort} onSort={actions.sortTenantsBy} />
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.isPending ? <tr><td colSpan={7}>Loading tenants…</td></tr> : null}
            {!list.isPending && tenants.length === 0 && !list.isError
              ? <tr><td colSpan={7}>No tenants match these filters.</td></tr> : null}
            {tenants.map((tenant) => {
              const pending = tenant.id.startsWith('pending-');
              return (
                <tr key={tenant.id} aria-busy={pending || undefined} className={pending ? 'row-pending' : undefined}>
                  <td>{tenant.name}</td>
                  <td>{tenant.slug}</td>
                  <td>{planLabel(tenant.plan)}</td>
                  <td><span className={`badge badge-${tenant.status}`}>{tenant.status === 'active' ? 'Active' : 'Suspended'}</span></td>
                  <td>{tenant.userCount}</td>
                  <td>{pending ? 'Saving…' : formatDateTime(tenant.createdAt, intl.locale, intl.timeZone)}</td>
                  <td className="actions">
                    <button type="button" className="button button-small" disabled={pending} aria-label={`Edit ${tenant.name}`}
                      onClick={() => actions.openModal({ kind: 'tenant-edit', tenantId: tenant.id })}>
                      Edit
                    </button>
                    {tenant.status === 'active' ? (
                      <button type="button" className="button button-small button-danger" disabled={pending}
                        aria-label={`Suspend ${tenant.name}`}
                        onClick={() => actions.openModal({ kind: 'tenant-suspend', tenantId: tenant.id })}>
                        Suspend
                      </button>
                    ) : (
                      <button type="button" className="button button-small" disabled={pending}
                        aria-label={`Activate ${tenant.name}`} onClick={() => activate(tenant)}>
                        Activate
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {list.data ? (
        <Pager label="Tenants pages" page={page} totalPages={list.data.totalPages} total={list.data.total}
          noun={list.data.total === 1 ? 'tenant' : 'tenants'} onPage={actions.setTenantsPage} />
      ) : null}

      {modal?.kind === 'tenant-create' ? (
        <TenantFormDialog onClose={actions.closeModal} onDone={(name) => setAnnouncement(`Tenant ${name} created.`)} />
      ) : null}
      {editing ? (
        <TenantFormDialog tenant={editing} onClose={actions.closeModal} onDone={(name) => setAnnouncement(`Tenant ${name} saved.`)} />
      ) : null}
      {suspending ? (
        <SuspendTenantDialog tenant={suspending} onClose={actions.closeModal}
          onDone={() => setAnnouncement(`${suspending.name} suspended.`)} />
      ) : null}
    </Layout>
  );
}

function TenantFiltersForm() {
  const { filters, setFilter, clear } = useUiStore(useShallow((s) => ({
    filters: s.tenants.filters, setFilter: s.setTenantFilter, clear: s.clearTenantFilters,
  })));
  const [text, setText] = useState(filters.q);
  const q = useDebounced(text.trim());
  useEffect(() => {
    if (q !== filters.q) setFilter('q', q);
  }, [q]); // only when the typed text settles: Clear filters must not bring back the last search
  const ids = { q: useId(), plan: useId(), status: useId() };
  return (
    <form role="search" aria-label="Filter tenants" className="filters" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={ids.q}>Search</label>
        <input id={ids.q} type="search" value={text} placeholder="Name or slug" onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.plan}>Plan</label>
        <select id={ids.plan} value={filters.plan} onChange={(e) => setFilter('plan', asPlan(e.target.value))}>
          <option value="">Any plan</option>
          {plans.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.status}>Status</label>
        <select id={ids.status} value={filters.status} onChange={(e) => setFilter('status', asStatus(e.target.value))}>
          <option value="">Any status</option>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
        </select>
      </div>
      <button type="button" className="button" onClick={() => { setText(''); clear(); }}>Clear filters</button>
    </form>
  );
}

/** Create a tenant (no `tenant`), or edit one. */
function TenantFormDialog({ tenant, onClose, onDone }: { tenant?: Tenant; onClose(): void; onDone(name: string): void }) {
  const create = useCreateTenant();
  const update = useUpdateTenant();
  // The detail brings the ETag the change is sent with (If-Match).
  const detail = useQuery({ ...queries.tenant(tenant?.id ?? ''), enabled: tenant !== undefined });
  const basis = detail.data ?? tenant;
  const [slug, setSlug] = useState('');
  const [name, setName] = useState(tenant?.name ?? '');
  const [plan, setPlan] = useState<TenantPlan>(tenant?.plan ?? 'free');
  const [status, setStatus] = useState<TenantStatus>(tenant?.status ?? 'active');
  const ids = { slug: useId(), name: useId(), plan: useId(), status: useId(), hint: useId() };
  const mutation = tenant ? update : create;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!tenant || !basis) {
      create.mutate({ slug, name, plan }, { onSuccess: (t) => { onDone(t.name); onClose(); } });
      return;
    }
    const changes = {
      ...(name !== basis.name ? { name } : {}),
      ...(plan !== basis.plan ? { plan } : {}),
      ...(status !== basis.status ? { status } : {}),
    };
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    update.mutate({ tenantId: tenant.id, changes }, { onSuccess: (t) => { onDone(t.name); onClose(); } });
  };

  return (
    <Dialog title={tenant ? 'Edit tenant' : 'New tenant'} onClose={onClose}
      description={tenant ? <p>{tenant.slug}</p> : undefined}>
      <form className="form" onSubmit={submit}>
        {tenant ? null : (
          <div className="field">
            <label htmlFor={ids.slug}>Slug</label>
            <input id={ids.slug} type="text" required pattern="[a-z0-9-]+" maxLength={63} value={slug} data-autofocus
              aria-describedby={ids.hint} onChange={(e) => setSlug(e.target.value)} />
            <p id={ids.hint} className="hint">Lower-case letters, digits and hyphens; it cannot change later.</p>
          </div>
        )}
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} type="text" required maxLength={200} value={name} data-autofocus={tenant ? true : undefined}
            onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.plan}>Plan</label>
          <select id={ids.plan} value={plan} onChange={(e) => setPlan(asPlan(e.target.value) || 'free')}>
            {plans.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </div>
        {tenant ? (
          <div className="field">
            <label htmlFor={ids.status}>Status</label>
            <select id={ids.status} value={status} onChange={(e) => setStatus(asStatus(e.target.value) || 'active')}>
              <option value="active">Active</option>
              <option value="suspended">Suspended</option>
            </select>
          </div>
        ) : null}
        <ErrorAlert error={mutation.error} prefix={tenant ? 'The changes were not saved' : 'The tenant was not created'} />
        <DialogButtons submitLabel={tenant ? 'Save changes' : 'Create tenant'} pending={mutation.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function SuspendTenantDialog({ tenant, onClose, onDone }: { tenant: Tenant; onClose(): void; onDone(): void }) {
  const update = useUpdateTenant();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (update.isPending) return;
    update.mutate({ tenantId: tenant.id, changes: { status: 'suspended' } }, { onSuccess: () => { onDone(); onClose(); } });
  };
  return (
    <Dialog title="Suspend tenant" onClose={onClose}
      description={<p>Suspend {tenant.name} ({tenant.slug})? Every session of its users ends at once, and they cannot sign in until it is activated again.</p>}>
      <form className="form" onSubmit={submit}>
        <ErrorAlert error={update.error} prefix="The tenant was not suspended" />
        <DialogButtons submitLabel="Suspend" pending={update.isPending} onCancel={onClose} danger />
      </form>
    </Dialog>
  );
}
