import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { InvalidateRequest, InvalidateResult, KeyInspection } from '../api/types';
import { ep } from '../app/services';
import { ErrorAlert, formatDateTime } from '../components/Feedback';
import { dashboardKeys } from '../query/keys';

/**
 * The key inspector and the invalidation tool (`cache:admin`: the caller's tenant, keys starting
 * with `tenant:<id>:`; platform administrators: any key). An inspection is read on request only
 * and refetched after an invalidation, so the inspector shows the key gone.
 */
export function CacheTools({ tenantId, scope }: { tenantId: string; scope: 'tenant' | 'service' }) {
  const prefix = scope === 'tenant' ? `tenant:${tenantId}:` : '';
  return (
    <section aria-labelledby="tools-heading" className="dashboard-section">
      <h2 id="tools-heading">Key inspector and invalidation</h2>
      <p className="muted">
        {scope === 'tenant'
          ? <>Keys, tags and patterns of your tenant start with <code>{prefix}</code>.</>
          : 'As a platform administrator you may inspect and invalidate any key.'}
      </p>
      <KeyInspector tenantId={tenantId} prefix={prefix} />
      <InvalidateTool tenantId={tenantId} prefix={prefix} />
    </section>
  );
}

function KeyInspector({ tenantId, prefix }: { tenantId: string; prefix: string }) {
  const id = useId();
  const [text, setText] = useState(prefix);
  const [key, setKey] = useState<string | null>(null);
  const inspection = useQuery({
    queryKey: dashboardKeys.inspection(tenantId, key ?? ''),
    queryFn: ({ signal }) => ep.inspectKey(key!, signal),
    enabled: key !== null,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = text.trim();
    if (next === key) void inspection.refetch();
    setKey(next);
  };
  return (
    <form aria-label="Key inspector" className="filters" onSubmit={submit}>
      <h3>Key inspector</h3>
      <div className="field">
        <label htmlFor={`${id}-key`}>Cache key</label>
        <input id={`${id}-key`} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </div>
      <button type="submit" className="button button-primary">Inspect</button>
      <ErrorAlert error={inspection.error} prefix="The key could not be inspected" />
      {inspection.data ? <Inspection result={inspection.data} fetching={inspection.isFetching} /> : null}
    </form>
  );
}

function Inspection({ result, fetching }: { result: KeyInspection; fetching: boolean }) {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return (
    <div aria-label={`Inspection of ${result.key}`} role="region" aria-busy={fetching}>
      <p role="status">
        <code>{result.key}</code>: {result.cached ? 'cached' : 'not cached'}
      </p>
      <dl className="figures">
        <div><dt>In this node&apos;s L1</dt><dd>{yes(result.inL1)} (node <code>{result.node}</code>)</dd></div>
        <div><dt>In Redis (L2)</dt><dd>{yes(result.inL2)}</dd></div>
        <div><dt>Time to live in Redis</dt><dd>{result.ttlMillis === null ? '–' : `${(result.ttlMillis / 1000).toFixed(1)} s`}</dd></div>
        <div><dt>Size</dt><dd>{result.inL2 ? `${result.sizeBytes} bytes` : '–'}</dd></div>
        <div><dt>Compressed</dt><dd>{result.inL2 ? yes(result.compressed) : '–'}</dd></div>
        <div><dt>Cached absence</dt><dd>{yes(result.absent)}</dd></div>
        <div><dt>Written</dt><dd>{result.writtenAt ? formatDateTime(result.writtenAt) : '–'}</dd></div>
        <div><dt>Fresh until</dt><dd>{result.freshUntil ? formatDateTime(result.freshUntil) : '–'}</dd></div>
        <div><dt>Write fence</dt><dd>{result.fence}</dd></div>
        <div><dt>Region</dt><dd>{regionText(result)}</dd></div>
        <div><dt>Tags (from L1)</dt><dd>{result.tags.length === 0 ? '–' : result.tags.join(', ')}</dd></div>
      </dl>
      {result.corrupt ? <p role="alert" className="alert">The bytes in Redis are not a valid entry: reads treat them as a miss.</p> : null}
    </div>
  );
}

/**
 * The region, or why there is none to show: an L1 entry always knows its region, while an entry
 * only in Redis is found only under the regions the answering node has used.
 */
export function regionText(result: KeyInspection): string {
  if (result.region !== null) return result.region;
  if (!result.cached) return '–';
  return result.inL1 ? 'none' : 'none known to this node';
}

type Kind = 'keys' | 'tags' | 'pattern';

/** Keys or tags separated by commas, spaces or new lines; a pattern as typed. */
export function invalidateRequest(kind: Kind, text: string): InvalidateRequest | null {
  if (kind === 'pattern') {
    const pattern = text.trim();
    return pattern === '' ? null : { pattern };
  }
  const items = text.split(/[\s,]+/).filter((s) => s !== '');
  return items.length === 0 ? null : { [kind]: items };
}

/** "1 entry removed", "3 entries removed", or "removed: unknown" when Redis could not count them. */
export function removedText(result: InvalidateResult): string {
  if (result.removed === null) return 'Invalidated; the entries removed could not be counted (Redis unreachable)';
  return `Invalidated: ${result.removed} ${result.removed === 1 ? 'entry' : 'entries'} removed`;
}

function InvalidateTool({ tenantId, prefix }: { tenantId: string; prefix: string }) {
  const id = useId();
  const client = useQueryClient();
  const [kind, setKind] = useState<Kind>('keys');
  const [text, setText] = useState(prefix);
  const invalidate = useMutation({
    mutationFn: (request: InvalidateRequest) => ep.invalidate(request),
    // what the inspector shows may be gone now
    onSuccess: () => client.invalidateQueries({ queryKey: dashboardKeys.inspections(tenantId) }),
  });
  const request = invalidateRequest(kind, text);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (request) invalidate.mutate(request);
  };
  return (
    <form aria-label="Invalidate" className="filters" onSubmit={submit}>
      <h3>Invalidate</h3>
      <div className="field">
        <label htmlFor={`${id}-kind`}>Invalidate by</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          <option value="keys">Keys</option>
          <option value="tags">Tags</option>
          <option value="pattern">Pattern</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-what`}>{kind === 'keys' ? 'Keys' : kind === 'tags' ? 'Tags' : 'Pattern'}</label>
        <input id={`${id}-what`} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </div>
      <button type="submit" className="button button-danger" disabled={!request || invalidate.isPending}>Invalidate</button>
      <ErrorAlert error={invalidate.error} prefix="Nothing was invalidated" />
      {invalidate.data ? <p role="status">{removedText(invalidate.data)}</p> : null}
    </form>
  );
}
