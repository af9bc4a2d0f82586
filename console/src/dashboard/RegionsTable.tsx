import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ep } from '../app/services';
import { Dialog, DialogButtons } from '../components/Dialog';
import { ErrorAlert } from '../components/Feedback';
import { dashboardKeys } from '../query/keys';

/** As often as the dashboard's own samples: the counts move with every read. */
export const REGIONS_POLL_MILLIS = 2000;

/**
 * This node's cache regions (`GET /api/v1/dashboard/regions`), polled while the dashboard is open:
 * requests, L1 and L2 hit rates, loads and their time, entries in this node's L1. Platform
 * administrators get a Clear button per region (a region holds every tenant's entries, so a
 * tenant's `cache:admin` may look but not clear); clearing asks for confirmation first.
 */
export function RegionsTable({ tenantId, scope }: { tenantId: string; scope: 'tenant' | 'service' }) {
  const regions = useQuery({
    queryKey: dashboardKeys.regions(tenantId),
    queryFn: ({ signal }) => ep.dashboardRegions(signal),
    refetchInterval: REGIONS_POLL_MILLIS,
    staleTime: 0,
  });
  const [confirming, setConfirming] = useState<string | null>(null);
  const [cleared, setCleared] = useState<{ region: string; removed: number } | null>(null);
  const canClear = scope === 'service';
  return (
    <section aria-labelledby="regions-heading" className="dashboard-section">
      <h2 id="regions-heading">Regions</h2>
      <p className="muted">
        Each family of cached entries, as counted by node <code>{regions.data?.node ?? '…'}</code> since it started.
        {canClear ? ' Clearing a region removes its entries from Redis and from every node\u2019s L1.' : ' Only a platform administrator may clear a region: it holds every tenant\u2019s entries.'}
      </p>
      <ErrorAlert error={regions.error} prefix="The regions could not be listed" />
      {cleared ? <p role="status">{clearedText(cleared.region, cleared.removed)}</p> : null}
      {regions.data ? (
        <table className="table">
          <caption>Cache regions</caption>
          <thead>
            <tr>
              <th scope="col">Region</th>
              <th scope="col">Requests</th>
              <th scope="col">L1 hit rate</th>
              <th scope="col">L2 hit rate</th>
              <th scope="col">Loads</th>
              <th scope="col">Average load time</th>
              <th scope="col">p99 load time</th>
              <th scope="col">Entries in this node&apos;s L1</th>
              {canClear ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {regions.data.regions.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td>{r.requests}</td>
                <td>{percent(r.l1HitRate, r.requests)}</td>
                <td>{percent(r.l2HitRate, r.requests)}</td>
                <td>{r.loads}</td>
                <td>{millis(r.loadMeanMillis, r.loads)}</td>
                <td>{millis(r.loadP99Millis, r.loads)}</td>
                <td>{r.l1Entries}</td>
                {canClear ? (
                  <td>
                    <button type="button" className="button button-danger" aria-label={`Clear region ${r.name}`}
                      onClick={() => { setCleared(null); setConfirming(r.name); }}>
                      Clear
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {confirming ? (
        <ClearRegionDialog tenantId={tenantId} region={confirming} onClose={() => setConfirming(null)}
          onDone={(removed) => setCleared({ region: confirming, removed })} />
      ) : null}
    </section>
  );
}

function ClearRegionDialog({ tenantId, region, onClose, onDone }: {
  tenantId: string; region: string; onClose(): void; onDone(removed: number): void;
}) {
  const client = useQueryClient();
  const clear = useMutation({
    mutationFn: () => ep.clearRegion(region),
    onSuccess: () => client.invalidateQueries({ queryKey: dashboardKeys.regions(tenantId) }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (clear.isPending) return;
    clear.mutate(undefined, { onSuccess: (result) => { onDone(result.removed); onClose(); } });
  };
  return (
    <Dialog
      title={`Clear region ${region}`}
      onClose={onClose}
      description={<p>Remove every entry of the region <code>{region}</code> from Redis and from every node&apos;s L1, for every tenant? The next reads load them again from the database.</p>}
    >
      <form className="form" onSubmit={submit}>
        <ErrorAlert error={clear.error} prefix="Not cleared" />
        <DialogButtons submitLabel="Clear region" pending={clear.isPending} onCancel={onClose} danger />
      </form>
    </Dialog>
  );
}

/** `87.5 %`, or `–` when there was no request to divide by. */
export function percent(rate: number, requests: number): string {
  return requests === 0 ? '–' : `${(rate * 100).toFixed(1)} %`;
}

/** `12.3 ms`, or `–` before the first load. */
export function millis(value: number, loads: number): string {
  return loads === 0 ? '–' : `${value.toFixed(1)} ms`;
}

/** "Region users cleared: 3 entries removed". */
export function clearedText(region: string, removed: number): string {
  return `Region ${region} cleared: ${removed} ${removed === 1 ? 'entry' : 'entries'} removed`;
}
