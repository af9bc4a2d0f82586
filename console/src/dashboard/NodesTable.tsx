import { useQuery } from '@tanstack/react-query';
import type { ClusterNode } from '../api/types';
import { ep } from '../app/services';
import { ErrorAlert } from '../components/Feedback';
import { dashboardKeys } from '../query/keys';

/** Nodes announce themselves every 5 s by default: polling faster would show nothing new. */
export const NODES_POLL_MILLIS = 5000;

/**
 * The cluster's nodes as they last announced themselves in Redis (`GET /api/v1/dashboard/nodes`),
 * polled while the dashboard is open. A node that stopped announcing stays listed as stopped for an
 * hour, so an operator sees that it went away.
 */
export function NodesTable({ tenantId }: { tenantId: string }) {
  const nodes = useQuery({
    queryKey: dashboardKeys.nodes(tenantId),
    queryFn: ({ signal }) => ep.dashboardNodes(signal),
    refetchInterval: NODES_POLL_MILLIS,
    staleTime: 0,
  });
  return (
    <section aria-labelledby="nodes-heading" className="dashboard-section">
      <h2 id="nodes-heading">Nodes</h2>
      <ErrorAlert error={nodes.error} prefix="The nodes could not be listed" />
      {nodes.data ? (
        <table className="table">
          <caption>Nodes of the cluster</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Status</th>
              <th scope="col">Host</th>
              <th scope="col">Version</th>
              <th scope="col">Uptime</th>
              <th scope="col">L1 entries</th>
              <th scope="col">Invalidation lag</th>
              <th scope="col">Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {nodes.data.nodes.map((n) => (
              <tr key={n.id}>
                <th scope="row">
                  {n.id}
                  {n.id === nodes.data.node ? ' (this node)' : ''}
                </th>
                <td>{n.status === 'LIVE' ? 'live' : 'stopped'}</td>
                <td>{n.host}</td>
                <td>{n.version}</td>
                <td>{duration(n.uptimeSeconds)}</td>
                <td>{n.l1Size}</td>
                <td>{`${n.invalidationLagMillis} ms`}</td>
                <td><time dateTime={n.lastHeartbeat}>{heartbeatAge(n)}</time></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** `3 d 4 h`, `2 h 5 min`, `4 min 12 s` or `9 s`: the two largest units. */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

function heartbeatAge(n: ClusterNode): string {
  const seconds = (Date.now() - Date.parse(n.lastHeartbeat)) / 1000;
  return `${duration(seconds)} ago`;
}
