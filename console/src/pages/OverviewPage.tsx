import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { AnalyticsRange, TenantAnalytics } from '../api/types';
import { Layout } from '../app/Layout';
import { useIntl } from '../app/useIntl';
import { useSignedIn } from '../auth/useSession';
import { ErrorAlert, formatDateTime } from '../components/Feedback';
import { queries } from '../query/queries';

const ranges: { value: AnalyticsRange; label: string }[] = [
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
];

/**
 * The tenant's home page: users by status and role, and sign-ins per day. The server computes
 * these in PostgreSQL and caches them for an hour; user changes refresh them at once (on the server
 * by tag, here by the live `invalidate` event), sign-ins only when the hour is up.
 */
export function OverviewPage() {
  const session = useSignedIn();
  const intl = useIntl();
  const rangeId = useId();
  const [range, setRange] = useState<AnalyticsRange>('7d');
  const analytics = useQuery({ ...queries.analytics(session.tenant.id, range), placeholderData: keepPreviousData });
  const data = analytics.data;

  return (
    <Layout title="Overview">
      <div className="toolbar">
        <div className="field-inline">
          <label htmlFor={rangeId}>Period</label>
          <select id={rangeId} value={range} onChange={(e) => setRange(e.target.value as AnalyticsRange)}>
            {ranges.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </select>
        </div>
      </div>
      <ErrorAlert error={analytics.error} prefix="The overview could not be loaded" />
      {analytics.isPending ? <p role="status">Loading the overview…</p> : null}
      {data ? (
        <>
          <p className="muted">
            Computed {formatDateTime(data.computedAt, intl.locale, intl.timeZone)}; user changes show at once,
            sign-ins within the hour.
          </p>
          <UserFigures analytics={data} />
          <SignInsChart analytics={data} />
        </>
      ) : null}
    </Layout>
  );
}

function UserFigures({ analytics }: { analytics: TenantAnalytics }) {
  const { users } = analytics;
  return (
    <section aria-labelledby="users-heading" className="overview-section">
      <h2 id="users-heading">Users</h2>
      <dl className="figures">
        <div><dt>All users</dt><dd>{users.total}</dd></div>
        <div><dt>Active</dt><dd>{users.byStatus.active}</dd></div>
        <div><dt>Suspended</dt><dd>{users.byStatus.suspended}</dd></div>
      </dl>
      <div className="table-wrap">
        <table className="table">
          <caption>Users by role</caption>
          <thead><tr><th scope="col">Role</th><th scope="col">Users</th></tr></thead>
          <tbody>
            {users.byRole.length === 0 ? <tr><td colSpan={2}>No role is held.</td></tr> : null}
            {users.byRole.map((r) => <tr key={r.role}><td>{r.role}</td><td>{r.users}</td></tr>)}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Sign-ins per UTC day as bars, with the same numbers in a table for screen readers and copying. */
function SignInsChart({ analytics }: { analytics: TenantAnalytics }) {
  const days = analytics.signIns;
  const max = Math.max(1, ...days.map((d) => d.count));
  const total = days.reduce((sum, d) => sum + d.count, 0);
  return (
    <section aria-labelledby="sign-ins-heading" className="overview-section">
      <h2 id="sign-ins-heading">Sign-ins</h2>
      <p>{total} sign-ins from {analytics.from} to {analytics.to} (UTC days).</p>
      <div className="bars" aria-hidden="true">
        {days.map((d) => (
          <span key={d.day} className="bar" title={`${d.day}: ${d.count}`} style={{ height: `${(100 * d.count) / max}%` }} />
        ))}
      </div>
      <details>
        <summary>Sign-ins per day</summary>
        <table className="table">
          <caption>Sign-ins per day</caption>
          <thead><tr><th scope="col">Day (UTC)</th><th scope="col">Sign-ins</th></tr></thead>
          <tbody>{days.map((d) => <tr key={d.day}><td>{d.day}</td><td>{d.count}</td></tr>)}</tbody>
        </table>
      </details>
    </section>
  );
}
