import { useQuery } from '@tanstack/react-query';
import type { HotKey } from '../api/types';
import { ep } from '../app/services';
import { ErrorAlert } from '../components/Feedback';
import { dashboardKeys } from '../query/keys';

/**
 * Other nodes' lists arrive with their heartbeats (every 5 s by default), so polling faster would
 * only refresh the answering node's own list; 5 s keeps a viewer's cost at one nodes listing per
 * heartbeat.
 */
export const HOT_KEYS_POLL_MILLIS = 5000;

/**
 * The keys the cluster reads most (`GET /api/v1/dashboard/hotkeys`), polled while the dashboard is
 * open: one table for all nodes (rates added per key) and one per live node, each the node's top 20
 * by estimated reads per second. A tenant's cache admin sees only its tenant's keys.
 */
export function HotKeysTable({ tenantId, scope }: { tenantId: string; scope: 'tenant' | 'service' }) {
  const hot = useQuery({
    queryKey: dashboardKeys.hotKeys(tenantId),
    queryFn: ({ signal }) => ep.dashboardHotKeys(signal),
    refetchInterval: HOT_KEYS_POLL_MILLIS,
    staleTime: 0,
  });
  const data = hot.data;
  return (
    <section aria-labelledby="hot-keys-heading" className="dashboard-section">
      <h2 id="hot-keys-heading">Hot keys</h2>
      <p className="muted">
        {scope === 'tenant' ? 'Your tenant\u2019s keys among each node\u2019s 20 most read keys' : 'Each node\u2019s 20 most read keys'},
        {' '}estimated from {data ? samplingText(data.sampling) : 'sampled reads'}; a key that stops being read fades
        {' '}by half every {data?.halfLifeSeconds ?? 10} s. Other nodes&apos; lists are as of their last heartbeat.
      </p>
      <ErrorAlert error={hot.error} prefix="The hot keys could not be listed" />
      {data && !data.nodesListed ? (
        <p role="status">Redis cannot be reached: only node {data.node}&apos;s own hot keys are listed.</p>
      ) : null}
      {data ? (
        <>
          <HotKeyTable caption="Hot keys, all nodes" rows={data.merged} withNodes />
          {data.nodes.map((n) => (
            <HotKeyTable key={n.id} caption={nodeCaption(n.id, n.self)} rows={n.hotKeys} />
          ))}
        </>
      ) : null}
    </section>
  );
}

/** One list of hot keys as a table: key, reads per second and, merged, how many nodes list it. */
export function HotKeyTable({ caption, rows, withNodes = false }: {
  caption: string;
  rows: (HotKey & { nodes?: number })[];
  withNodes?: boolean;
}) {
  const columns = withNodes ? 3 : 2;
  return (
    <table className="table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Reads per second</th>
          {withNodes ? <th scope="col">Nodes</th> : null}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr><td colSpan={columns}>No key is read often enough yet.</td></tr>
        ) : rows.map((r) => (
          <tr key={r.key}>
            <th scope="row"><code className="hot-key">{r.key}</code></th>
            <td>{formatRate(r.readsPerSecond)}</td>
            {withNodes ? <td>{r.nodes ?? 1}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "Hot keys on node a1b2 (this node)". */
export function nodeCaption(id: string, self: boolean): string {
  return `Hot keys on node ${id}${self ? ' (this node)' : ''}`;
}

/** `1,234` from 100 up, `12.3` from 1, `0.25` below: the estimate is good to a few percent. */
export function formatRate(readsPerSecond: number): string {
  if (readsPerSecond >= 100) return Math.round(readsPerSecond).toLocaleString('en');
  if (readsPerSecond >= 1) return readsPerSecond.toFixed(1);
  return readsPerSecond.toFixed(2);
}

/** How the answering node samples: "every read", "one read in 64", or that sampling is off. */
export function samplingText(sampling: number): string {
  if (sampling === 0) return 'no reads (sampling is off on this node: TIERSTATE_HOT_KEY_SAMPLING=0)';
  if (sampling === 1) return 'every read';
  return `one read in ${sampling}`;
}
