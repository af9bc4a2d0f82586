import type { QueryClient } from '@tanstack/react-query';
import { reactionTo, type Reaction, type Viewer } from './events';

/** What the header shows. */
export type StreamState = 'off' | 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveUpdatesOptions {
  queryClient: QueryClient;
  /** The stream ended the session (`end`): sign out. */
  onEnd(reason: string): void;
  /**
   * Called before opening the stream again after the browser gave up on it. EventSource cannot
   * show why (a 401 after the access token expired looks like a network error), so an API call
   * goes first: its 401 goes through the shared refresh, and a failed refresh signs out.
   * Resolves when the session is good; rejects otherwise.
   */
  checkSession(): Promise<unknown>;
  /** An invalidation made `count` queries on screen refetch (the browser tier's counts). */
  onRefetch?: (count: number) => void;
  createEventSource?: (url: string) => EventSource;
  url?: string;
}

const EVENTS = ['ready', 'invalidate', 'resync', 'end'] as const;
const MAX_BACKOFF_MS = 30_000;

/**
 * One EventSource per tab on `/api/v1/events`, turning its events into `invalidateQueries`. Only
 * active queries refetch (`refetchType: 'active'`); inactive ones are marked stale and refetch
 * when next shown. Holds its state for `useSyncExternalStore`.
 */
export class LiveUpdates {
  private source: EventSource | null = null;
  private viewer: Viewer | null = null;
  private state: StreamState = 'off';
  private readonly listeners = new Set<() => void>();
  private readyCount = 0;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly createSource: (url: string) => EventSource;
  private readonly url: string;

  constructor(private readonly options: LiveUpdatesOptions) {
    this.createSource = options.createEventSource ?? ((url) => new EventSource(url));
    this.url = options.url ?? '/api/v1/events';
  }

  /** Opens the stream for this viewer; a second call for the same viewer does nothing. */
  start(viewer: Viewer): void {
    if (this.viewer && this.viewer.userId === viewer.userId && this.viewer.tenantId === viewer.tenantId) return;
    this.stop();
    this.viewer = viewer;
    this.readyCount = 0;
    this.attempts = 0;
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onOnline);
      window.addEventListener('offline', this.onOffline);
    }
    this.open();
  }

  stop(): void {
    this.viewer = null;
    this.closeSource();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onOnline);
      window.removeEventListener('offline', this.onOffline);
    }
    this.setState('off');
  }

  getState = (): StreamState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private open(): void {
    if (!this.viewer) return;
    this.closeSource();
    this.setState(this.readyCount === 0 ? 'connecting' : 'reconnecting');
    const source = this.createSource(this.url);
    this.source = source;
    for (const type of EVENTS) {
      source.addEventListener(type, (event) => {
        if (this.source === source) this.handle(type, (event as MessageEvent<string>).data);
      });
    }
    source.onerror = () => {
      if (this.source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an error status such as 401, or a wrong answer): retry ourselves.
        this.closeSource();
        this.scheduleReopen();
      } else {
        // The browser reconnects by itself (after the server's `retry`); `ready` will follow.
        this.setState(isOffline() ? 'offline' : 'reconnecting');
      }
    };
  }

  private handle(type: string, data: string): void {
    const viewer = this.viewer;
    if (!viewer) return;
    const reaction = reactionTo(type, data, viewer, this.readyCount > 0);
    if (type === 'ready') {
      this.readyCount++;
      this.attempts = 0;
      this.setState('live');
    }
    this.apply(reaction);
  }

  private apply(reaction: Reaction): void {
    const client = this.options.queryClient;
    switch (reaction.kind) {
      case 'invalidate': {
        const refetched = new Set<unknown>();
        for (const queryKey of reaction.keys) {
          for (const query of client.getQueryCache().findAll({ queryKey, type: 'active' })) refetched.add(query);
          void client.invalidateQueries({ queryKey, refetchType: 'active' });
        }
        this.options.onRefetch?.(refetched.size);
        break;
      }
      case 'invalidate-all':
        this.options.onRefetch?.(client.getQueryCache().findAll({ type: 'active' }).length);
        void client.invalidateQueries({ refetchType: 'active' });
        break;
      case 'sign-out':
        this.stop();
        this.options.onEnd(reaction.reason);
        break;
      case 'reconnect':
        this.closeSource();
        this.scheduleReopen();
        break;
      case 'none':
        break;
    }
  }

  private scheduleReopen(): void {
    if (!this.viewer || this.timer !== null) return;
    this.setState(isOffline() ? 'offline' : 'reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts++;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.viewer) return;
      this.options.checkSession().then(
        () => this.open(),
        () => {
          // Signed out (the gate already acted) or still unreachable: try again later if still here.
          if (this.viewer) this.scheduleReopen();
        },
      );
    }, delay);
  }

  private closeSource(): void {
    this.source?.close();
    this.source = null;
  }

  // Back online: open a new stream at once rather than trust the old one. A stream that failed
  // while offline can sit in CONNECTING with no retry pending (seen in Chromium), so waiting for
  // the browser's own reconnect could leave the tab without live updates for good.
  private readonly onOnline = () => {
    if (!this.viewer) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.attempts = 0;
    this.closeSource();
    this.scheduleReopen();
  };

  private readonly onOffline = () => {
    if (this.viewer) this.setState('offline');
  };

  private setState(state: StreamState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}
