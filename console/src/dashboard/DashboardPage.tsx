import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import type { DashboardFeed, DashboardSample } from '../api/types';
import { Layout } from '../app/Layout';
import { browserTier, ep } from '../app/services';
import { useSignedIn } from '../auth/useSession';
import { ErrorAlert } from '../components/Feedback';
import { dashboardKeys } from '../query/keys';
import { difference, type BrowserTierCounts } from './browserTier';
import { CacheTools } from './CacheTools';
import { HotKeysTable } from './HotKeysTable';
import { NodesTable } from './NodesTable';
import { RegionsTable } from './RegionsTable';
import { merge, namesOf, tierCounts, tierShares, TIERS, type Point } from './points';
import { TimeChart, type ChartSeries } from './TimeChart';

/** How often the page asks for new samples: the server samples every 2 s. */
export const POLL_MILLIS = 2000;

interface PollState {
  node: string | null;
  points: Point[];
}

/**
 * The browser counts already drawn, kept for the tab's lifetime: the first poll after opening the
 * page brings what the tab did since it was last drawn (the console in use), later polls what it
 * did meanwhile (live refetches, the session check).
 */
let drawn: BrowserTierCounts = { cacheAnswers: 0, requests: 0, notModified: 0, liveRefetches: 0 };

/**
 * The live operations dashboard (`cache:admin`: the node's cache with the tenant's sessions;
 * platform administrators: the service). Polls `GET /api/v1/dashboard?since=<last sample>` every
 * 2 s through TanStack Query's `refetchInterval`: the server samples once for every viewer, and a
 * poll carries only the samples this tab has not seen (about one), so watching costs little on
 * both sides. The page keeps the last 15 minutes and draws them with uPlot.
 */
export function DashboardPage() {
  const session = useSignedIn();
  const state = useRef<PollState>({ node: null, points: [] });
  const feed = useQuery({
    queryKey: dashboardKeys.feed(session.tenant.id, session.user.id),
    queryFn: async ({ signal }) => {
      const s = state.current;
      const last = s.points.length === 0 ? 0 : s.points[s.points.length - 1]!.sample.seq;
      const answer = await ep.dashboard(last, signal);
      const now = browserTier.snapshot();
      if (s.node === null || answer.node === s.node) {
        s.points = merge(s.points, answer.samples, difference(drawn, now));
        if (answer.samples.length > 0) drawn = now;
      } else {
        s.points = []; // another (or a restarted) node answered: its sequence starts afresh, so ask for all next
      }
      s.node = answer.node;
      return { feed: answer, points: s.points };
    },
    refetchInterval: POLL_MILLIS,
    staleTime: 0,
    gcTime: 0,
  });

  const data = feed.data;
  return (
    <Layout title="Dashboard">
      <ErrorAlert error={feed.error} prefix="The dashboard could not be loaded" />
      {feed.isPending ? <p role="status">Loading the dashboard…</p> : null}
      {data ? <Dashboard feed={data.feed} points={data.points} tenantId={session.tenant.id} /> : null}
    </Layout>
  );
}

function Dashboard({ feed, points, tenantId }: { feed: DashboardFeed; points: Point[]; tenantId: string }) {
  const x = points.map((p) => p.sample.t / 1000);
  const line = (label: string, pick: (s: DashboardSample, p: Point) => number | null | undefined): ChartSeries => ({
    label,
    values: points.map((p) => pick(p.sample, p) ?? null),
  });
  const last = points[points.length - 1]?.sample;
  const totals = waterfallTotals(points);
  const ops = namesOf(points, (s) => s.latency);
  const groups = namesOf(points, (s) => s.http);
  const policies = namesOf(points, (s) => s.rateLimit);
  const causes = namesOf(points, (s) => s.evictions);
  const staleReasons = namesOf(points, (s) => s.staleServed);
  const lagNodes = namesOf(points, (s) => s.propagationLag);
  const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? null : bytes / 1048576);

  return (
    <>
      <p className="muted">
        {feed.scope === 'service' ? 'The whole service' : 'Your tenant'}, as seen by node <code>{feed.node}</code>:
        a sample every {feed.intervalMillis / 1000} s, the last 15 minutes. Server tiers count every read on this
        node; the browser tiers count this tab&apos;s.
      </p>
      <Health feed={feed} />
      <NodesTable tenantId={tenantId} />
      <RegionsTable tenantId={tenantId} scope={feed.scope} />
      <HotKeysTable tenantId={tenantId} scope={feed.scope} />
      <CacheTools tenantId={tenantId} scope={feed.scope} />

      <section aria-labelledby="waterfall-heading" className="dashboard-section">
        <h2 id="waterfall-heading">Hit waterfall</h2>
        <TimeChart
          title="Share of reads answered by each tier"
          unit="%"
          x={x}
          series={TIERS.map((tier) => line(tier, (_s, p) => tierShares(p)[tier]))}
        />
        <table className="table">
          <caption>Reads by tier (last 15 minutes)</caption>
          <thead><tr><th scope="col">Tier</th><th scope="col">Reads</th><th scope="col">Share</th></tr></thead>
          <tbody>
            {TIERS.map((tier) => (
              <tr key={tier}>
                <td>{tier}</td>
                <td>{totals.counts[tier]}</td>
                <td>{totals.total === 0 ? '–' : `${((100 * totals.counts[tier]) / totals.total).toFixed(1)} %`}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <dl className="figures">
          <div><dt>Requests from this tab</dt><dd>{totals.requests}</dd></div>
          <div><dt>Live refetches</dt><dd>{totals.liveRefetches}</dd></div>
        </dl>
      </section>

      <section aria-labelledby="latency-heading" className="dashboard-section">
        <h2 id="latency-heading">Latency</h2>
        <TimeChart
          title="Cache operations p50 / p95 / p99"
          unit="ms"
          x={x}
          series={ops.flatMap((op) => (['p50', 'p95', 'p99'] as const).map((q) => line(`${op} ${q}`, (s) => s.latency[op]?.[q])))}
        />
        <TimeChart
          title="HTTP route groups p99"
          unit="ms"
          x={x}
          series={groups.map((g) => line(g, (s) => s.http[g]?.p99))}
        />
        <table className="table">
          <caption>HTTP route groups now</caption>
          <thead>
            <tr><th scope="col">Group</th><th scope="col">Requests (2 s)</th><th scope="col">p50 ms</th><th scope="col">p95 ms</th><th scope="col">p99 ms</th></tr>
          </thead>
          <tbody>
            {groups.map((g) => {
              const v = last?.http[g];
              return (
                <tr key={g}><td>{g}</td><td>{v?.count ?? 0}</td><td>{v?.p50 ?? '–'}</td><td>{v?.p95 ?? '–'}</td><td>{v?.p99 ?? '–'}</td></tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="l1-heading" className="dashboard-section">
        <h2 id="l1-heading">L1 and loads</h2>
        <TimeChart title="L1 entries" unit="entries" x={x} series={[line('L1 size', (s) => s.l1Size)]} />
        <TimeChart
          title="Evictions, stale served, fills rejected, load failures"
          unit="per 2 s"
          x={x}
          series={[
            ...causes.map((c) => line(`evicted: ${c}`, (s) => s.evictions[c])),
            ...staleReasons.map((r) => line(`stale: ${r}`, (s) => s.staleServed[r])),
            line('fills rejected', (s) => Object.values(s.fillsRejected).reduce((a, b) => a + b, 0)),
            line('load failures', (s) => s.loadFailures),
          ]}
        />
      </section>

      <section aria-labelledby="inv-heading" className="dashboard-section">
        <h2 id="inv-heading">Invalidations</h2>
        <TimeChart
          title="Invalidations sent and received"
          unit="per 2 s"
          x={x}
          series={[
            line('sent', (s) => s.invalidations.sent),
            line('received', (s) => s.invalidations.received),
            line('waiting here', (s) => s.pendingInvalidations),
          ]}
        />
        <TimeChart
          title="Propagation lag per node"
          unit="ms"
          x={x}
          series={lagNodes.map((node) => line(node === feed.node ? `${node} (this node)` : node, (s) => s.propagationLag?.[node]))}
        />
        <p className="muted">
          Each node&apos;s longest wait for another node&apos;s invalidation over the last two minutes or so: this
          node&apos;s from its own meter, the others&apos; from their heartbeats. A node that stops leaves a gap.
        </p>
      </section>

      <Consistency points={points} x={x} line={line} />

      <section aria-labelledby="redis-heading" className="dashboard-section">
        <h2 id="redis-heading">Redis</h2>
        <dl className="figures">
          <div><dt>Circuit breaker</dt><dd>{last?.redis.breaker ?? '–'}</dd></div>
          <div><dt>Round trip</dt><dd>{fixed(feed.health.redis.rttMillis, 2, ' ms')}</dd></div>
          <div>
            <dt>Memory</dt>
            <dd>
              {fixed(mb(feed.health.redis.usedBytes), 1, ' MB')}
              {feed.health.redis.maxBytes ? ` of ${fixed(mb(feed.health.redis.maxBytes), 0, ' MB')}` : ' (no maxmemory)'}
            </dd>
          </div>
        </dl>
        <TimeChart title="Redis round trip" unit="ms" x={x} series={[line('SET round trip', (s) => s.redis.rttMillis)]} />
        <TimeChart
          title="Redis memory against maxmemory"
          unit="MB"
          x={x}
          series={[line('used', (s) => mb(s.redis.usedBytes)), line('maxmemory', (s) => (s.redis.maxBytes ? mb(s.redis.maxBytes) : null))]}
        />
      </section>

      <section aria-labelledby="wb-heading" className="dashboard-section">
        <h2 id="wb-heading">Write-behind, rate limits, sessions</h2>
        <TimeChart
          title="Write-behind"
          unit="items / s"
          x={x}
          series={[
            line('pending', (s) => s.writeBehind.pending),
            line('lag (s)', (s) => s.writeBehind.lagSeconds),
            line('dead letters', (s) => s.writeBehind.deadLetters),
            line('database unreachable (s)', (s) => s.writeBehind.unreachableSeconds),
          ]}
        />
        <TimeChart
          title="Rate-limit decisions per policy"
          unit="per 2 s"
          x={x}
          series={policies.flatMap((p) => ['allowed', 'denied'].map((r) => line(`${p} ${r}`, (s) => s.rateLimit[p]?.[r] ?? 0)))}
        />
        <dl className="figures">
          <div>
            <dt>Active sessions</dt>
            <dd>{feed.activeSessions ?? '–'}</dd>
          </div>
        </dl>
        <TimeChart
          title="Sessions started and ended"
          unit="per 2 s"
          x={x}
          series={[line('started', (s) => s.sessions.started), line('ended', (s) => s.sessions.ended)]}
        />
      </section>
    </>
  );
}

/**
 * The consistency auditor's figures: how many nines of the cached entries it sampled matched
 * PostgreSQL over its window, and the inconsistencies it found (and repaired). Absent while the
 * auditor is off.
 */
function Consistency({
  points,
  x,
  line,
}: {
  points: Point[];
  x: number[];
  line: (label: string, pick: (s: DashboardSample) => number | null | undefined) => ChartSeries;
}) {
  const audited = points.filter((p) => p.sample.consistency !== undefined);
  if (audited.length === 0) return null;
  const now = audited[audited.length - 1]!.sample.consistency!;
  const found = audited.reduce((sum, p) => sum + (p.sample.consistency?.inconsistent ?? 0), 0);
  const samples = audited.reduce((sum, p) => sum + (p.sample.consistency?.samples ?? 0), 0);
  return (
    <section aria-labelledby="consistency-heading" className="dashboard-section">
      <h2 id="consistency-heading">Consistency</h2>
      <dl className="figures">
        <div><dt>Consistency nines</dt><dd>{fixed(now.nines, 2, '')}</dd></div>
        <div><dt>Consistent samples</dt><dd>{fixed(now.ratio === null ? null : 100 * now.ratio, 3, ' %')}</dd></div>
        <div><dt>Inconsistencies found (last 15 minutes)</dt><dd>{found}</dd></div>
        <div><dt>Entries checked (last 15 minutes)</dt><dd>{samples}</dd></div>
      </dl>
      <TimeChart
        title="Consistency nines"
        unit="nines"
        x={x}
        series={[line('nines', (s) => s.consistency?.nines)]}
      />
    </section>
  );
}

function Health({ feed }: { feed: DashboardFeed }) {
  const { health, alerts } = feed;
  return (
    <section aria-labelledby="health-heading" className="dashboard-section">
      <h2 id="health-heading">Health</h2>
      <p role="status" className={`health health-${health.status.toLowerCase()}`}>
        Health: <strong>{health.status}</strong>
      </p>
      <table className="table">
        <caption>Health checks</caption>
        <thead><tr><th scope="col">Check</th><th scope="col">Status</th><th scope="col">Message</th></tr></thead>
        <tbody>
          {health.checks.map((c) => (
            <tr key={c.name}><td>{c.name}</td><td>{c.status}</td><td>{c.message}</td></tr>
          ))}
        </tbody>
      </table>
      <h3>Alerts</h3>
      {alerts.length === 0 ? <p>No alert has fired.</p> : (
        <ul className="alerts">
          {alerts.map((a) => <li key={`${a.rule}-${a.firedAt}`}><time dateTime={a.firedAt}>{a.firedAt}</time> {a.rule}: {a.message}</li>)}
        </ul>
      )}
    </section>
  );
}

/**
 * A number with `digits` decimals and a suffix, or a dash. The server leaves out what a failed
 * check could not measure (Redis paused: no round trip), so absent and null both mean "unknown".
 */
function fixed(value: number | null | undefined, digits: number, suffix: string): string {
  return value === null || value === undefined ? '–' : `${value.toFixed(digits)}${suffix}`;
}

function waterfallTotals(points: Point[]) {
  const counts = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<(typeof TIERS)[number], number>;
  let requests = 0;
  let liveRefetches = 0;
  for (const p of points) {
    const c = tierCounts(p);
    for (const t of TIERS) counts[t] += c[t];
    requests += p.browser.requests;
    liveRefetches += p.browser.liveRefetches;
  }
  const total = TIERS.reduce((sum, t) => sum + counts[t], 0);
  return { counts, total, requests, liveRefetches };
}
