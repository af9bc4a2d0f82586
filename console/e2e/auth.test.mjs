// Sign-in, the session query, route guards, and the 401 → one shared refresh → retry protocol,
// in a real browser against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, launch, person, signIn, signOut, screenshot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a route that needs a session sends a signed-out visitor to sign-in, and back after signing in', async () => {
  const { page, context, errors } = await person(browser, instance(0));
  await page.goto('/users');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.match(page.url(), /\/sign-in/);
  await screenshot(page, 'sign-in');
  await page.getByLabel('E-mail address').fill('admin@acme.test');
  await page.getByLabel('Password').fill('tierstate-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  assert.match(page.url(), /\/users/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong password shows the server\'s message and signs nobody in', async () => {
  const { page, context } = await person(browser, instance(0));
  await page.goto('/sign-in');
  await page.getByLabel('E-mail address').fill('alice@acme.test');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await assert.doesNotReject(page.getByRole('alert').filter({ hasText: 'the e-mail address or the password is wrong' }).waitFor());
  assert.equal((await context.cookies()).filter((c) => c.name === 'accessToken').length, 0);
  await context.close();
});

test('an expired access token is refreshed once, transparently, and the page loads with the new one', async () => {
  const { page, context } = await person(browser, instance(0));
  await signIn(page, 'admin@acme.test');
  await page.goto('/users');
  await page.getByRole('table', { name: 'Users' }).waitFor();
  // The access cookie is gone (as when it expires); the refresh cookie stays.
  await context.clearCookies({ name: 'accessToken' });
  const refreshes = [];
  const unauthorized = [];
  page.on('response', (response) => {
    if (response.url().endsWith('/api/v1/auth/refresh')) refreshes.push(response.status());
    else if (response.status() === 401) unauthorized.push(response.url());
  });
  await page.reload();
  await page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'alice@acme.test' }).waitFor();
  await page.getByRole('link', { name: 'My devices' }).click();
  await page.getByRole('table', { name: 'Signed-in devices' }).getByRole('row').nth(1).waitFor();
  assert.deepEqual(refreshes, [200], `one refresh, not ${refreshes.length}`);
  assert.ok(unauthorized.length >= 1, 'a request met the expired token');
  assert.ok((await context.cookies()).some((c) => c.name === 'accessToken'), 'a new access cookie was set');
  await context.close();
});

test('a refresh that fails signs the user out', async () => {
  const { page, context } = await person(browser, instance(0));
  await signIn(page, 'alice@acme.test');
  await context.clearCookies();
  await page.getByRole('link', { name: 'My devices' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await context.close();
});

test('signing out ends the session on the server and in the browser', async () => {
  const { page, context } = await person(browser, instance(1));
  await signIn(page, 'alice@acme.test');
  await signOut(page);
  const session = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).status);
  assert.equal(session, 401);
  await page.goto('/users');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await context.close();
});
