import { ApiError, errorFromResponse } from './errors';
import type { EtagStore } from './etags';
import type { RefreshGate } from './refresh';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  /** Sent as JSON. */
  body?: unknown;
  /** Send `If-Match` with the ETag remembered for this URL (the representation the change is based on). */
  ifMatchOf?: string;
  /** Do not answer a 401 with a refresh (the auth endpoints themselves). */
  noRefresh?: boolean;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  etags: EtagStore;
  refreshGate: RefreshGate;
  /**
   * The server refused a signed-in request because the session can no longer be used and no
   * refresh can help (403 `tenant_suspended`): the tab must sign out.
   */
  onSessionRevoked?: (code: string) => void;
  fetch?: typeof fetch;
  /** Told of every answer (URL, method, status), for the browser tier's counts. */
  onResponse?: (url: string, method: string, status: number) => void;
}

/** Error codes that end the session in this tab whatever the request was. */
const REVOKING_CODES: ReadonlySet<string> = new Set(['tenant_suspended']);

/**
 * The console's one way to the server. A chain of small steps, each with one job:
 *  - conditional GETs: a GET of a URL whose ETag and data it remembers sends `If-None-Match`,
 *    and a 304 answers with the remembered data (kept in memory only);
 *  - authentication: a 401 waits for the shared refresh (or starts it), then the request is sent
 *    once more; if the refresh fails the gate signs the user out and the request fails with 401;
 *  - revocation: a 403 `tenant_suspended` on any signed-in request signs the tab out;
 *  - errors: any other failure becomes an {@link ApiError} carrying the server's message.
 * Cookies carry the tokens; this code never sees them.
 */
export class ApiClient {
  private readonly etags: EtagStore;
  private readonly gate: RefreshGate;
  private readonly fetchFn: typeof fetch;
  private readonly onSessionRevoked: (code: string) => void;
  private readonly onResponse: (url: string, method: string, status: number) => void;

  constructor(options: ApiClientOptions) {
    this.etags = options.etags;
    this.gate = options.refreshGate;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.onSessionRevoked = options.onSessionRevoked ?? (() => {});
    this.onResponse = options.onResponse ?? (() => {});
  }

  get<T>(url: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>(url, signal ? { signal } : {});
  }

  async request<T>(url: string, options: RequestOptions = {}): Promise<T> {
    const generation = this.gate.generation;
    let response = await this.send(url, options);
    if (response.status === 401 && !options.noRefresh) {
      // A refresh that finished after this request left already gave the browser a new token:
      // then only the retry is needed.
      if (this.gate.generation === generation) {
        try {
          await this.gate.refresh();
        } catch (error) {
          if (error instanceof ApiError && error.isClientError) {
            throw new ApiError(401, 'session_ended', 'Your session has ended; sign in again.');
          }
          throw error;
        }
      }
      response = await this.send(url, options);
    }
    try {
      return await this.read<T>(url, options, response);
    } catch (error) {
      if (!options.noRefresh && error instanceof ApiError && error.status === 403 && REVOKING_CODES.has(error.code)) {
        this.onSessionRevoked(error.code);
      }
      throw error;
    }
  }

  private send(url: string, options: RequestOptions): Promise<Response> {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'GET') {
      const held = this.etags.get(url);
      if (held) headers['If-None-Match'] = held.etag;
    }
    if (options.ifMatchOf !== undefined) {
      const basis = this.etags.get(options.ifMatchOf);
      if (basis) headers['If-Match'] = basis.etag;
    }
    const init: RequestInit = {
      method,
      headers,
      credentials: 'same-origin',
      // Server data never goes to the browser's HTTP cache (on disk): revalidation is ours.
      cache: 'no-store',
    };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    if (options.signal) init.signal = options.signal;
    return this.fetchFn(url, init);
  }

  private async read<T>(url: string, options: RequestOptions, response: Response): Promise<T> {
    const method = options.method ?? 'GET';
    this.onResponse(url, method, response.status);
    if (response.status === 304) {
      const held = this.etags.get(url);
      if (held) return held.data as T;
      // Nothing to keep (evicted between sending and answering): ask again, unconditionally.
      this.etags.delete(url);
      return this.request<T>(url, options);
    }
    if (!response.ok) {
      if (response.status === 404 || response.status === 410) this.etags.delete(url);
      throw await errorFromResponse(response);
    }
    if (method === 'DELETE') this.etags.delete(url);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const data: unknown = text === '' ? undefined : JSON.parse(text);
    const etag = response.headers.get('ETag');
    if (etag !== null) {
      // The ETag of a GET or PATCH tags the URL itself; a 201's tags the new resource's Location.
      const tagged = method === 'POST' ? response.headers.get('Location') : method === 'DELETE' ? null : url;
      if (tagged !== null) this.etags.set(tagged, etag, data);
    }
    return data as T;
  }
}
