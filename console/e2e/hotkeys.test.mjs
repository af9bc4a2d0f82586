// The dashboard's hot keys: each node samples its cache reads, and any node shows every node's list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, eventually, instance, launch, person, signIn, screenshot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The row of `table` whose row header is exactly `key`. */
const rowOf = (page, table, key) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: key, exact: true }) });

test('a key read again and again shows in the hot keys of its node, merged, and on the other instance after a heartbeat', async () => {
  const admin = await person(browser, instance(0));
  await signIn(admin.page, 'admin@acme.test');
  const me = (await api(admin.page, 'GET', '/api/v1/auth/session')).body;
  // A user's detail is cached under tenant:<t>:user:<u>; the test servers sample one read in 16
  // (ConsoleStack), so 2,000 reads give about 125 sampled ones.
  const key = `tenant:${me.tenant.id}:user:${me.user.id}`;
  const statuses = await admin.page.evaluate(async (path) => {
    const seen = new Set();
    for (let i = 0; i < 100; i++) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => fetch(path, { credentials: 'same-origin' }).then((r) => r.status)));
      batch.forEach((status) => seen.add(status));
    }
    return [...seen];
  }, `/api/v1/tenants/${encodeURIComponent(me.tenant.id)}/users/${encodeURIComponent(me.user.id)}`);
  assert.deepEqual(statuses, [200], `every read answered: ${statuses}`);

  await admin.page.getByRole('link', { name: 'Dashboard' }).click();
  await admin.page.getByRole('heading', { name: 'Hot keys', level: 2 }).waitFor();
  const merged = admin.page.getByRole('table', { name: 'Hot keys, all nodes' });
  const self = admin.page.getByRole('table', { name: /^Hot keys on node .+ \(this node\)$/ });
  await eventually('the key is in the merged table', async () => (await rowOf(admin.page, merged, key).count()) === 1);
  await eventually('and in this node\'s table', async () => (await rowOf(admin.page, self, key).count()) === 1);
  assert.deepEqual(await merged.getByRole('columnheader').allTextContents(), ['Key', 'Reads per second', 'Nodes']);
  const [rate, nodes] = await rowOf(admin.page, merged, key).getByRole('cell').allTextContents();
  assert.ok(Number(rate.replaceAll(',', '')) > 0, `reads per second: ${rate}`);
  assert.match(nodes, /^[12]$/);
  // A tenant's cache admin sees only its tenant's keys.
  for (const header of await merged.getByRole('rowheader').allTextContents()) {
    assert.ok(header.startsWith(`tenant:${me.tenant.id}:`), `another tenant's key listed: ${header}`);
  }
  await admin.page.getByRole('heading', { name: 'Hot keys', level: 2 }).scrollIntoViewIfNeeded();
  await screenshot(admin.page, 'dashboard-hot-keys');

  // The other instance lists this node's keys from its heartbeat (every 5 s), polled every 5 s.
  const nodeA = (await api(admin.page, 'GET', '/api/v1/dashboard/hotkeys')).body.node;
  const root = await person(browser, instance(1));
  await signIn(root.page, 'root@tierstate.test');
  await root.page.getByRole('link', { name: 'Dashboard' }).click();
  const tableA = root.page.getByRole('table', { name: `Hot keys on node ${nodeA}`, exact: true });
  await tableA.waitFor();
  await eventually('instance B shows the key among node A\'s hot keys', async () => (await rowOf(root.page, tableA, key).count()) === 1, 20_000);
  await eventually('and in its merged table', async () => (await rowOf(root.page, root.page.getByRole('table', { name: 'Hot keys, all nodes' }), key).count()) === 1);
  assert.equal(admin.errors.length, 0, `no page errors: ${admin.errors.join('\n')}`);
  assert.equal(root.errors.length, 0, `no page errors: ${root.errors.join('\n')}`);
  for (const p of [admin, root]) await p.context.close();
});

test('a member without cache:admin cannot read the hot keys', async () => {
  const member = await person(browser, instance(0));
  await signIn(member.page, 'alice@acme.test');
  const answer = await api(member.page, 'GET', '/api/v1/dashboard/hotkeys');
  assert.equal(answer.status, 403);
  assert.match(answer.body.error.message, /cache:admin/);
  await member.context.close();
});
