import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveUpdates } from './stream';

/** A scriptable EventSource: tests deliver events and errors by hand. */
class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = 0;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    super();
  }
  emit(type: string, data: unknown) {
    this.readyState = 1;
    this.dispatchEvent(new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) }));
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.(new Event('error'));
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

const viewer = { tenantId: 't1', userId: 'me' };

function setup() {
  const sources: FakeEventSource[] = [];
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const onEnd = vi.fn();
  const checkSession = vi.fn(async () => ({}));
  const live = new LiveUpdates({
    queryClient,
    onEnd,
    checkSession,
    createEventSource: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source as unknown as EventSource;
    },
  });
  return { live, sources, queryClient, onEnd, checkSession };
}

beforeEach(() => {
  vi.stubGlobal('EventSource', FakeEventSource);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('LiveUpdates', () => {
  it('opens one stream per tab, however often it is started for the same user', () => {
    const { live, sources } = setup();
    live.start(viewer);
    live.start({ ...viewer });
    expect(sources).toHaveLength(1);
    expect(sources[0]!.url).toBe('/api/v1/events');
    expect(live.getState()).toBe('connecting');
    sources[0]!.emit('ready', { userId: 'me', tenantId: 't1', heartbeatSeconds: 15 });
    expect(live.getState()).toBe('live');
    live.stop();
  });

  it('refetches only active queries; inactive ones are only marked stale', async () => {
    const { live, sources, queryClient } = setup();
    const activeKey = ['users', 't1', 'list', { page: 1 }];
    const inactiveKey = ['users', 't1', 'list', { page: 2 }];
    const fetchActive = vi.fn(async () => 'active');
    const fetchInactive = vi.fn(async () => 'inactive');
    queryClient.setQueryData(activeKey, 'old');
    queryClient.setQueryData(inactiveKey, 'old');
    const observer = new QueryObserver(queryClient, { queryKey: activeKey, queryFn: fetchActive, staleTime: Infinity });
    const unsubscribe = observer.subscribe(() => {});
    queryClient.setQueryDefaults(inactiveKey, { queryFn: fetchInactive });

    live.start(viewer);
    sources[0]!.emit('ready', {});
    sources[0]!.emit('invalidate', { entity: 'users', id: null });

    await vi.waitFor(() => expect(fetchActive).toHaveBeenCalledTimes(1));
    expect(fetchInactive).not.toHaveBeenCalled();
    expect(queryClient.getQueryState(inactiveKey)?.isInvalidated).toBe(true);
    unsubscribe();
    live.stop();
  });

  it('a reconnect (second ready) invalidates everything; the first ready does not', async () => {
    const { live, sources, queryClient } = setup();
    queryClient.setQueryData(['roles', 't1'], []);
    live.start(viewer);
    sources[0]!.emit('ready', {});
    expect(queryClient.getQueryState(['roles', 't1'])?.isInvalidated).toBe(false);
    sources[0]!.fail(FakeEventSource.CONNECTING); // the browser reconnects by itself
    expect(live.getState()).toBe('reconnecting');
    sources[0]!.emit('ready', {});
    expect(live.getState()).toBe('live');
    await vi.waitFor(() => expect(queryClient.getQueryState(['roles', 't1'])?.isInvalidated).toBe(true));
    live.stop();
  });

  it('end signs out and closes the stream', () => {
    const { live, sources, onEnd } = setup();
    live.start(viewer);
    sources[0]!.emit('ready', {});
    sources[0]!.emit('end', { reason: 'session_ended' });
    expect(onEnd).toHaveBeenCalledWith('session_ended');
    expect(sources[0]!.closed).toBe(true);
    expect(live.getState()).toBe('off');
  });

  it('when the browser gives up (a 401 looks like that), checks the session, then opens a new stream', async () => {
    vi.useFakeTimers();
    const { live, sources, checkSession } = setup();
    live.start(viewer);
    sources[0]!.emit('ready', {});
    sources[0]!.fail(FakeEventSource.CLOSED);
    expect(live.getState()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(2000);
    expect(checkSession).toHaveBeenCalledTimes(1);
    expect(sources).toHaveLength(2);
    expect(sources[0]!.closed).toBe(true);
    live.stop();
  });

  it('back online, replaces a stream the browser left hanging in CONNECTING with a new one', async () => {
    vi.useFakeTimers();
    const { live, sources, checkSession } = setup();
    live.start(viewer);
    sources[0]!.emit('ready', {});
    window.dispatchEvent(new Event('offline'));
    sources[0]!.fail(FakeEventSource.CONNECTING); // the browser says it retries, then never does
    expect(live.getState()).not.toBe('live');
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(2000);
    expect(checkSession).toHaveBeenCalledTimes(1);
    expect(sources).toHaveLength(2);
    expect(sources[0]!.closed).toBe(true);
    sources[1]!.emit('ready', {});
    expect(live.getState()).toBe('live');
    live.stop();
  });

  it('reports the state to subscribers (the header\'s status)', () => {
    const { live, sources } = setup();
    const seen: string[] = [];
    live.subscribe(() => seen.push(live.getState()));
    live.start(viewer);
    sources[0]!.emit('ready', {});
    live.stop();
    expect(seen).toEqual(['connecting', 'live', 'off']);
  });
});
