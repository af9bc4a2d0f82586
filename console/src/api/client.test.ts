import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';
import { ApiError } from './errors';
import { EtagStore } from './etags';
import { createRefreshGate } from './refresh';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 304 || status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function headerOf(init: RequestInit, name: string): string | undefined {
  return (init.headers as Record<string, string> | undefined)?.[name];
}

function setup(handler: Handler, refresh: () => Promise<void> = async () => {}, onSessionRevoked = vi.fn()) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return handler(url, init ?? {});
  }) as unknown as typeof fetch;
  const onRejected = vi.fn();
  const refreshFn = vi.fn(refresh);
  const gate = createRefreshGate(refreshFn, onRejected);
  const etags = new EtagStore();
  const client = new ApiClient({ etags, refreshGate: gate, fetch: fetchFn, onSessionRevoked });
  return { client, calls, etags, refreshFn, onRejected, gate, onSessionRevoked };
}

describe('ETags in the fetch layer', () => {
  it('sends If-None-Match once it holds a copy, and a 304 answers with the copy', async () => {
    const body = { items: [{ id: 'u1' }], page: 1, size: 20, total: 1, totalPages: 1 };
    const { client, calls } = setup((_url, init) =>
      headerOf(init, 'If-None-Match') === '"v1"' ? json(304, null, { ETag: '"v1"' }) : json(200, body, { ETag: '"v1"' }));

    const first = await client.get('/api/v1/tenants/t/users?page=1');
    const second = await client.get('/api/v1/tenants/t/users?page=1');

    expect(headerOf(calls[0]!.init, 'If-None-Match')).toBeUndefined();
    expect(headerOf(calls[1]!.init, 'If-None-Match')).toBe('"v1"');
    expect(first).toEqual(body);
    expect(second).toBe(first); // the very same data: nothing re-renders
  });

  it('replaces the copy when the data changed (200 with a new ETag)', async () => {
    let version = 1;
    const { client, calls } = setup((_url, init) => {
      const tag = `"v${version}"`;
      return headerOf(init, 'If-None-Match') === tag ? json(304, null) : json(200, { version }, { ETag: tag });
    });
    await client.get('/api/v1/x');
    version = 2;
    expect(await client.get('/api/v1/x')).toEqual({ version: 2 });
    expect(await client.get('/api/v1/x')).toEqual({ version: 2 });
    expect(headerOf(calls[2]!.init, 'If-None-Match')).toBe('"v2"');
  });

  it('keeps ETags per URL: another page of the list is asked unconditionally', async () => {
    const { client, calls } = setup(() => json(200, { ok: true }, { ETag: '"a"' }));
    await client.get('/api/v1/tenants/t/users?page=1');
    await client.get('/api/v1/tenants/t/users?page=2');
    expect(headerOf(calls[1]!.init, 'If-None-Match')).toBeUndefined();
  });

  it('sends If-Match with the ETag of the representation a change is based on', async () => {
    const { client, calls } = setup((_url, init) =>
      init.method === 'PATCH' ? json(200, { name: 'new' }, { ETag: '"v2"' }) : json(200, { name: 'old' }, { ETag: '"v1"' }));
    await client.get('/api/v1/tenants/t/users/u');
    await client.request('/api/v1/tenants/t/users/u', { method: 'PATCH', body: { name: 'new' }, ifMatchOf: '/api/v1/tenants/t/users/u' });
    await client.get('/api/v1/tenants/t/users/u');
    expect(headerOf(calls[1]!.init, 'If-Match')).toBe('"v1"');
    // The PATCH answer's ETag now tags the URL.
    expect(headerOf(calls[2]!.init, 'If-None-Match')).toBe('"v2"');
  });

  it('never lets the browser cache server data and never writes ETags to storage', async () => {
    const { client, calls } = setup(() => json(200, { secret: 'data' }, { ETag: '"a"' }));
    localStorage.clear();
    sessionStorage.clear();
    await client.get('/api/v1/x');
    expect(calls[0]!.init.cache).toBe('no-store');
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });

  it('turns an error body into an ApiError with the server message', async () => {
    const { client } = setup(() => json(409, { error: { code: 'email_taken', message: 'the address is in use' } }));
    const error = await client.request('/api/v1/x', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'email_taken', message: 'the address is in use' });
  });

  it('forgets the copy of a deleted resource', async () => {
    const { client, etags } = setup((_url, init) => (init.method === 'DELETE' ? json(204, null) : json(200, {}, { ETag: '"a"' })));
    await client.get('/api/v1/x/1');
    expect(etags.get('/api/v1/x/1')).toBeDefined();
    await client.request('/api/v1/x/1', { method: 'DELETE' });
    expect(etags.get('/api/v1/x/1')).toBeUndefined();
  });
});

describe('401 → one shared refresh → retry once', () => {
  it('refreshes exactly once for many concurrent 401s, then retries every request', async () => {
    let tokenGood = false;
    let releaseRefresh!: () => void;
    const refreshDone = new Promise<void>((resolve) => { releaseRefresh = resolve; });
    const { client, calls, refreshFn, onRejected } = setup(
      (url) => (tokenGood ? json(200, { url }) : json(401, { error: { code: 'unauthorized', message: 'sign in' } })),
      async () => {
        await refreshDone;
        tokenGood = true;
      },
    );

    const urls = Array.from({ length: 8 }, (_, i) => `/api/v1/things/${i}`);
    const results = Promise.all(urls.map((url) => client.get<{ url: string }>(url)));
    await vi.waitFor(() => expect(calls.length).toBe(8)); // all eight got their 401
    releaseRefresh();

    expect((await results).map((r) => r.url)).toEqual(urls);
    expect(refreshFn).toHaveBeenCalledTimes(1);
    expect(calls.length).toBe(16); // each request: the 401, then exactly one retry
    expect(onRejected).not.toHaveBeenCalled();
  });

  it('a request sent before a refresh finished only retries when its 401 arrives after it', async () => {
    let generation = 0;
    let answerLate!: () => void;
    const late = new Promise<void>((resolve) => { answerLate = resolve; });
    const { client, refreshFn } = setup(async (url) => {
      const sentWith = generation;
      if (url === '/slow') await late;
      return sentWith === 0 ? json(401, {}) : json(200, { ok: url });
    }, async () => { generation++; });

    const slow = client.get('/slow'); // leaves with the old token
    await client.get('/fast'); // 401, refresh, retry
    answerLate(); // the slow one's 401 arrives after the refresh
    await expect(slow).resolves.toEqual({ ok: '/slow' });
    expect(refreshFn).toHaveBeenCalledTimes(1);
  });

  it('a failed refresh signs out once and fails every waiting request with 401', async () => {
    const { client, refreshFn, onRejected } = setup(
      () => json(401, { error: { code: 'unauthorized', message: 'sign in' } }),
      async () => { throw new ApiError(401, 'session_ended', 'the session has ended; sign in again'); },
    );
    const results = await Promise.allSettled([client.get('/a'), client.get('/b'), client.get('/c')]);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as ApiError).status === 401)).toBe(true);
    expect(refreshFn).toHaveBeenCalledTimes(1);
    expect(onRejected).toHaveBeenCalledTimes(1);
  });

  it('a refresh that fails for want of the server (503) does not sign out', async () => {
    const { client, onRejected } = setup(
      () => json(401, {}),
      async () => { throw new ApiError(503, 'session_store_unavailable', 'try again in a moment'); },
    );
    await expect(client.get('/a')).rejects.toMatchObject({ status: 503 });
    expect(onRejected).not.toHaveBeenCalled();
  });

  it('retries only once: a second 401 is the answer', async () => {
    const { client, calls, refreshFn } = setup(() => json(401, { error: { code: 'unauthorized', message: 'no' } }));
    await expect(client.get('/a')).rejects.toMatchObject({ status: 401 });
    expect(calls.length).toBe(2);
    expect(refreshFn).toHaveBeenCalledTimes(1);
  });

  it('does not refresh for the auth endpoints themselves (a wrong password is a 401)', async () => {
    const { client, refreshFn } = setup(() => json(401, { error: { code: 'invalid_credentials', message: 'wrong' } }));
    await expect(client.request('/api/v1/auth/login', { method: 'POST', body: {}, noRefresh: true }))
      .rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(refreshFn).not.toHaveBeenCalled();
  });

  it('a 403 tenant_suspended on any signed-in request signs the tab out; other 403s and sign-in do not', async () => {
    const suspended = { error: { code: 'tenant_suspended', message: 'your organization is suspended' } };
    const { client, onSessionRevoked } = setup((url) =>
      url === '/denied' ? json(403, { error: { code: 'forbidden', message: 'no' } }) : json(403, suspended));
    await expect(client.get('/denied')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await expect(client.request('/api/v1/auth/login', { method: 'POST', body: {}, noRefresh: true }))
      .rejects.toMatchObject({ code: 'tenant_suspended' });
    expect(onSessionRevoked).not.toHaveBeenCalled();
    await expect(client.get('/api/v1/tenants/t/users')).rejects.toMatchObject({ code: 'tenant_suspended' });
    expect(onSessionRevoked).toHaveBeenCalledWith('tenant_suspended');
  });
});
