// My profile (server data against UI data) and My devices (sessions on other devices).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, launch, person, signIn, screenshot, api, uniqueEmail } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('locale and time zone are saved on the server and follow the user to another browser', async () => {
  const a = await person(browser, instance(0));
  await signIn(a.page, 'carol@acme.test');
  await a.page.getByRole('link', { name: 'My profile' }).click();
  await a.page.getByRole('heading', { name: 'My profile' }).waitFor();
  await a.page.getByLabel('Time zone').selectOption('Europe/Paris');
  await a.page.getByLabel('Locale').selectOption('fr');
  await a.page.getByRole('button', { name: 'Save account settings' }).click();
  await a.page.getByRole('status').filter({ hasText: /saved/i }).waitFor();
  await screenshot(a.page, 'profile');

  const saved = await api(a.page, 'GET', '/api/v1/me/preferences');
  assert.equal(saved.body.timeZone, 'Europe/Paris');
  assert.equal(saved.body.locale, 'fr');

  const b = await person(browser, instance(1));
  await signIn(b.page, 'carol@acme.test');
  await b.page.goto('/profile');
  await b.page.getByRole('heading', { name: 'My profile' }).waitFor();
  assert.equal(await b.page.getByLabel('Time zone').inputValue(), 'Europe/Paris');

  // The theme is UI state: kept in this browser only.
  await a.page.getByRole('radio', { name: 'Dark' }).check();
  assert.equal(await b.page.getByRole('radio', { name: 'Dark' }).isChecked(), false);
  await a.context.close();
  await b.context.close();
});

test('a device signed out from My devices loses its session; signing out all ends every one', async () => {
  // A user of its own, so that the devices listed are exactly this test's two.
  const admin = await person(browser, instance(0));
  await signIn(admin.page, 'admin@acme.test');
  const tenant = (await api(admin.page, 'GET', '/api/v1/auth/session')).body.tenant.id;
  const email = uniqueEmail('dev');
  const created = await api(admin.page, 'POST', `/api/v1/tenants/${tenant}/users`,
    { email, displayName: 'Devi Devices', password: 'a long enough password' });
  assert.equal(created.status, 201);
  await admin.context.close();

  const laptop = await person(browser, instance(0));
  const phone = await person(browser, instance(1));
  await signIn(laptop.page, email, 'a long enough password');
  await signIn(phone.page, email, 'a long enough password');
  await laptop.page.getByRole('link', { name: 'My devices' }).click();
  const devices = laptop.page.getByRole('table', { name: 'Signed-in devices' });
  const rows = devices.getByRole('row');
  await rows.nth(2).waitFor();
  assert.equal(await rows.count(), 3, 'a header row and two devices');
  const current = rows.filter({ hasText: 'This device' });
  assert.equal(await current.count(), 1);
  await screenshot(laptop.page, 'devices');

  const other = rows.filter({ hasNotText: 'This device' }).filter({ has: laptop.page.getByRole('button') });
  // The row leaves at once (optimistic); the session ends when the server has answered the DELETE.
  const ended = laptop.page.waitForResponse((r) => r.request().method() === 'DELETE'
    && r.url().includes('/api/v1/auth/sessions/'));
  await other.getByRole('button', { name: /^Sign out / }).click();
  await other.waitFor({ state: 'detached' });
  assert.equal((await ended).status(), 204, 'the server ended the phone\'s session');
  assert.equal((await api(phone.page, 'GET', '/api/v1/auth/session')).status, 401, 'the phone is signed out');
  assert.equal((await api(laptop.page, 'GET', '/api/v1/auth/session')).status, 200, 'the laptop is not');

  await laptop.page.getByRole('button', { name: 'Sign out all devices' }).click();
  await laptop.page.getByRole('dialog', { name: 'Sign out all devices' })
    .getByRole('button', { name: 'Sign out everywhere' }).click();
  await laptop.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal((await api(laptop.page, 'GET', '/api/v1/auth/session')).status, 401);
  await laptop.context.close();
  await phone.context.close();
});
