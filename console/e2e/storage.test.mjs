// Nothing secret, no permission and no server data in browser storage, ever; and the console's
// pages carry a strict Content-Security-Policy that its own code never trips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, launch, person, signIn, signOut, browserStorage } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('after signing in, using every page and signing out, browser storage holds no token, id, permission or user data', async () => {
  const { page, context, errors } = await person(browser, instance(0));
  await signIn(page, 'root@tierstate.test');
  const session = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).json());
  const cookieValues = (await context.cookies()).map((c) => c.value).filter((v) => v.length > 8);
  assert.ok(cookieValues.length >= 2, 'the server set the access and refresh cookies');

  const visit = async (path, heading) => {
    await page.goto(path);
    await page.getByRole('heading', { name: heading }).waitFor();
  };
  await visit('/overview', 'Overview');
  await page.getByText('All users').waitFor();
  await visit('/users', 'Users');
  await page.getByRole('searchbox', { name: 'Search' }).fill('root');
  await page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'root@tierstate.test' }).waitFor();
  await visit('/profile', 'My profile');
  await page.getByLabel('Time zone').waitFor();
  await visit('/devices', 'My devices');
  await page.getByRole('table', { name: 'Signed-in devices' }).waitFor();
  await visit('/tenants', 'Tenants');
  await page.getByRole('table', { name: 'Tenants' }).getByRole('row').filter({ hasText: 'acme' }).waitFor();

  const during = await browserStorage(page);
  assert.equal(during.cookie, '', 'no cookie is readable by script');
  await signOut(page);
  const afterSignOut = await browserStorage(page);

  const secrets = [
    ...cookieValues,
    session.user.id, session.user.email, session.user.displayName, session.tenant.id, session.tenant.slug,
    session.session.deviceId, ...session.permissions, ...session.roles,
  ].filter(Boolean);
  for (const [when, storage] of [['while signed in', during], ['after signing out', afterSignOut]]) {
    const text = JSON.stringify(storage);
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `${when}, browser storage holds '${secret}': ${text}`);
    }
    assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(text), `${when}, a JWT is in browser storage`);
    assert.equal(Object.keys(storage.sessionStorage).length, 0, `${when}, sessionStorage is used`);
    assert.equal(storage.indexedDB.length, 0, `${when}, IndexedDB is used`);
  }
  assert.equal((await context.cookies()).filter((c) => c.name === 'accessToken' || c.name === 'refreshToken').length, 0,
    'sign-out cleared the cookies');
  assert.deepEqual(errors, [], 'no script error and no CSP violation');
  await context.close();
});

test('console pages are served with a strict CSP and hardening headers; client routes fall back to index.html', async () => {
  for (const path of ['/', '/users', '/tenants/some/deep/route']) {
    const response = await fetch(instance(0) + path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type'), /text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const csp = response.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(response.headers.get('referrer-policy'));
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  }
  const index = await (await fetch(instance(0) + '/')).text();
  const asset = index.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const js = await fetch(instance(0) + asset);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('cache-control'), /max-age=31536000/);
  assert.match(js.headers.get('cache-control'), /immutable/);
  assert.equal((await fetch(instance(0) + '/assets/missing-0000.js')).status, 404);
  const api404 = await fetch(instance(0) + '/api/v1/nothing-here');
  assert.equal(api404.status, 404);
  assert.match(api404.headers.get('content-type'), /json/);
});
