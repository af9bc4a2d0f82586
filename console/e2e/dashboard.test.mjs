// The live operations dashboard: fed by the server's shared sampler every 2 s, drawn with uPlot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, eventually, instance, launch, person, signIn, screenshot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const WATERFALL = 'Share of reads answered by each tier';

/** The number of points a chart has drawn. */
const points = (page, title) => page.locator(`figure[aria-label="${title}"]`).getAttribute('data-points').then(Number);

/** A cell of the "Reads by tier" table. */
async function reads(page, tier) {
  const row = page.getByRole('table', { name: 'Reads by tier (last 15 minutes)' }).getByRole('row').filter({ hasText: new RegExp(`^${tier}`) });
  return Number(await row.getByRole('cell').nth(1).textContent());
}

test('a cache admin watches traffic move through the tiers live, with health and each named check', async () => {
  const admin = await person(browser, instance(0));
  await signIn(admin.page, 'admin@acme.test');
  // The console in use first (requests, cached answers), then the dashboard from the navigation.
  await admin.page.getByRole('link', { name: 'Users' }).click();
  await admin.page.getByRole('table').first().waitFor();
  await admin.page.getByRole('link', { name: 'Overview' }).click();
  await admin.page.getByRole('link', { name: 'Users' }).click();
  await admin.page.getByRole('link', { name: 'Dashboard' }).click();
  await admin.page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  await admin.page.getByRole('status').filter({ hasText: /^Health: (HEALTHY|DEGRADED)$/ }).waitFor();
  const checks = admin.page.getByRole('table', { name: 'Health checks' });
  await checks.getByRole('row').filter({ hasText: 'redis.ping' }).waitFor();
  await checks.getByRole('row').filter({ hasText: 'database' }).waitFor();
  try {
    await eventually('the waterfall has points', async () => (await points(admin.page, WATERFALL)) > 0);
  } catch (error) {
    throw new Error(`${error.message}; the page said: ${await admin.page.locator('main').innerText()}`);
  }
  assert.equal(admin.errors.length, 0, `no page errors: ${admin.errors.join('\n')}`);
  await eventually('this tab\'s requests are counted',
    async () => Number(await admin.page.locator('dt', { hasText: 'Requests from this tab' }).locator('xpath=following-sibling::dd').textContent()) > 0);

  // Traffic on this node (another browser's reads): new points arrive and L1 answers grow.
  const before = await points(admin.page, WATERFALL);
  const l1Before = await reads(admin.page, 'L1');
  const tenant = (await api(admin.page, 'GET', '/api/v1/auth/session')).body.tenant.id;
  const traffic = await person(browser, instance(0));
  await signIn(traffic.page, 'admin@acme.test');
  for (let i = 0; i < 30; i++) {
    assert.equal((await api(traffic.page, 'GET', `/api/v1/tenants/${tenant}/users`)).status, 200);
  }
  try {
    await eventually('new points are drawn', async () => (await points(admin.page, WATERFALL)) >= before + 2, 10_000);
  } catch (error) {
    throw new Error(`${error.message}; the page said: ${await admin.page.locator('main').innerText()}`);
  }
  await eventually('the L1 reads grew', async () => (await reads(admin.page, 'L1')) > l1Before, 10_000);
  const groups = admin.page.getByRole('table', { name: 'HTTP route groups now' });
  await groups.getByRole('row').filter({ hasText: /^tenants/ }).waitFor();
  assert.ok((await points(admin.page, 'Cache operations p50 / p95 / p99')) > 0);
  // The consistency auditor (on by default) checks cached users and access against PostgreSQL.
  await admin.page.getByRole('heading', { name: 'Consistency', level: 2 }).waitFor();
  await eventually('the consistency nines are a number',
    async () => /^\d+\.\d\d$/.test((await admin.page.locator('dt', { hasText: 'Consistency nines' }).locator('xpath=following-sibling::dd').textContent()) ?? ''),
    20_000);
  assert.ok((await points(admin.page, 'Consistency nines')) > 0);
  await screenshot(admin.page, 'dashboard');

  await traffic.context.close();
  await admin.context.close();
});

test('a member without cache:admin can neither open the page nor read its feed', async () => {
  const member = await person(browser, instance(1));
  await signIn(member.page, 'alice@acme.test');
  assert.equal(await member.page.getByRole('link', { name: 'Dashboard' }).count(), 0, 'no link in the navigation');
  await member.page.goto('/dashboard');
  await member.page.getByRole('heading', { name: 'Page not found' }).waitFor();
  const feed = await api(member.page, 'GET', '/api/v1/dashboard');
  assert.equal(feed.status, 403);
  assert.match(feed.body.error.message, /cache:admin/);
  await member.context.close();
});
