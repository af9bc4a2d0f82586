// The tenant overview (home page): analytics computed by the server, cached for an hour there,
// refreshed at once by a user change made in another browser, on the other server instance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, instance, launch, person, signIn, screenshot, uniqueEmail } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The value of a headline figure: the <dd> after the <dt> that names it. */
const figure = (page, name) => page.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd');

test('the home page shows users by status and role and sign-ins per day; a user created elsewhere shows live', async () => {
  const a = await person(browser, instance(0));
  const b = await person(browser, instance(1));
  await signIn(a.page, 'admin@acme.test');
  await signIn(b.page, 'admin@acme.test');
  await b.page.getByRole('heading', { name: 'Overview' }).waitFor();
  assert.match(b.page.url(), /\/overview$/, 'signing in lands on the overview');

  const total = Number(await figure(b.page, 'All users').textContent());
  assert.ok(total >= 3, `acme has its demo users, saw ${total}`);
  const roles = b.page.getByRole('table', { name: 'Users by role' });
  await roles.getByRole('row').filter({ hasText: 'tenant_admin' }).waitFor();
  assert.match(await b.page.getByText(/sign-ins from/).textContent(), /^[1-9]\d* sign-ins from/);
  await screenshot(b.page, 'overview');

  // A 30-day period: thirty rows in the per-day table.
  await b.page.getByLabel('Period').selectOption('30d');
  await b.page.getByText('Sign-ins per day', { exact: true }).first().click();
  const days = b.page.getByRole('table', { name: 'Sign-ins per day' }).getByRole('row');
  await b.page.waitForFunction(() => document.querySelectorAll('table tbody tr').length > 30);
  assert.equal(await days.count(), 31, 'a header row and thirty days');

  // A user created through instance A: B's server drops its cached analytics, B's tab refetches.
  const tenant = (await api(a.page, 'GET', '/api/v1/auth/session')).body.tenant.id;
  const created = await api(a.page, 'POST', `/api/v1/tenants/${tenant}/users`,
    { email: uniqueEmail('overview'), displayName: 'Olive Overview', password: 'a long enough password' });
  assert.equal(created.status, 201);
  await b.page.waitForFunction((expected) => {
    const dt = [...document.querySelectorAll('dt')].find((el) => el.textContent === 'All users');
    return dt && Number(dt.nextElementSibling.textContent) === expected;
  }, total + 1, { timeout: 10_000 });

  await a.context.close();
  await b.context.close();
});
