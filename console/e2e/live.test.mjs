// Two browsers on two server instances that share PostgreSQL and Redis: a change made through one
// reaches the other's query cache over the event stream, with no reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, launch, person, signIn, screenshot, api, eventually } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a user renamed in browser A on instance A appears in browser B on instance B without a reload', async () => {
  const a = await person(browser, instance(0));
  const b = await person(browser, instance(1));
  await signIn(a.page, 'admin@acme.test');
  await signIn(b.page, 'admin@acme.test');
  await a.page.goto('/users');
  await b.page.goto('/users');
  await b.page.getByRole('status').filter({ hasText: 'Live updates: live' }).waitFor();
  const rowA = a.page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'carol@acme.test' });
  const rowB = b.page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'carol@acme.test' });
  await rowB.waitFor();
  const loads = [];
  b.page.on('framenavigated', (frame) => { if (frame === b.page.mainFrame()) loads.push(frame.url()); });

  const name = `Carol Live ${Date.now()}`;
  await rowA.getByRole('button', { name: 'Edit' }).click();
  const edit = a.page.getByRole('dialog', { name: 'Edit user' });
  await edit.getByLabel('Display name').fill(name);
  await edit.getByRole('button', { name: 'Save' }).click();

  await rowB.filter({ hasText: name }).waitFor({ timeout: 5_000 });
  assert.deepEqual(loads, [], 'browser B did not reload');
  await screenshot(b.page, 'live-invalidation');
  await a.context.close();
  await b.context.close();
});

test('a change made outside the console (through the API on instance A) refetches what browser B shows', async () => {
  const a = await person(browser, instance(0));
  const b = await person(browser, instance(1));
  await signIn(a.page, 'admin@acme.test');
  await signIn(b.page, 'admin@acme.test');
  await b.page.goto('/users');
  const table = b.page.getByRole('table', { name: 'Users' });
  await table.getByRole('row').filter({ hasText: 'alice@acme.test' }).waitFor();
  const session = await api(a.page, 'GET', '/api/v1/auth/session');
  const tenant = session.body.tenant.id;
  const email = `eve-${Date.now()}@acme.test`;
  const created = await api(a.page, 'POST', `/api/v1/tenants/${tenant}/users`,
    { email, displayName: 'Eve Outside', password: 'a long enough password' });
  assert.equal(created.status, 201);
  await table.getByRole('row').filter({ hasText: email }).waitFor({ timeout: 5_000 });
  const removed = await api(a.page, 'DELETE', `/api/v1/tenants/${tenant}/users/${created.body.id}`);
  assert.equal(removed.status, 204);
  await table.getByRole('row').filter({ hasText: email }).waitFor({ state: 'detached', timeout: 5_000 });
  await a.context.close();
  await b.context.close();
});

test('the header shows the stream reconnecting while the server is unreachable from the tab', async () => {
  const b = await person(browser, instance(1));
  await signIn(b.page, 'alice@acme.test');
  const status = b.page.getByRole('status').filter({ hasText: /Live updates/ });
  await b.page.getByRole('status').filter({ hasText: 'Live updates: live' }).waitFor();
  await b.context.setOffline(true);
  await b.page.evaluate(() => window.dispatchEvent(new Event('offline')));
  await b.page.getByRole('status').filter({ hasText: /Live updates: (reconnecting|offline)/ }).waitFor({ timeout: 10_000 });
  await b.context.setOffline(false);
  await b.page.evaluate(() => window.dispatchEvent(new Event('online')));
  await b.page.getByRole('status').filter({ hasText: 'Live updates: live' }).waitFor({ timeout: 15_000 });
  assert.ok(await status.count() >= 1);
  await b.context.close();
});

test('an invalidation that changed nothing is revalidated with If-None-Match and answered 304; the rows stay', async () => {
  const b = await person(browser, instance(1));
  await signIn(b.page, 'admin@acme.test');
  await b.page.goto('/users');
  const table = b.page.getByRole('table', { name: 'Users' });
  await table.getByRole('row').filter({ hasText: 'alice@acme.test' }).waitFor();
  await b.page.getByRole('status').filter({ hasText: 'Live updates: live' }).waitFor();
  const revalidations = [];
  b.page.on('response', async (response) => {
    if (/\/api\/v1\/tenants\/[^/]+\/users\?/.test(response.url())) {
      revalidations.push({ status: response.status(), ifNoneMatch: await response.request().headerValue('if-none-match') });
    }
  });
  // An operator drops the tenant's cached user lists on instance A; nothing in PostgreSQL changed.
  const tenant = (await api(b.page, 'GET', '/api/v1/auth/session')).body.tenant.id;
  const ops = await person(browser, instance(0));
  await signIn(ops.page, 'admin@acme.test');
  const invalidated = await api(ops.page, 'POST', '/admin/cache/invalidate', { tags: [`tenant:${tenant}:users`] });
  assert.equal(invalidated.status, 200, JSON.stringify(invalidated.body));
  await eventually('browser B revalidated its list', async () => revalidations.length >= 1);
  assert.equal(revalidations[0].status, 304, JSON.stringify(revalidations));
  assert.ok(revalidations[0].ifNoneMatch, 'the refetch sent If-None-Match');
  assert.equal(await table.getByRole('row').filter({ hasText: 'alice@acme.test' }).count(), 1, 'the rows stay');
  await ops.context.close();
  await b.context.close();
});
