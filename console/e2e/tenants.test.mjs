// Tenants, for platform administrators only; suspension reaches the tenant's signed-in users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, launch, person, signIn, screenshot, api } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a tenant admin has no tenants page and cannot list tenants', async () => {
  const { page, context } = await person(browser, instance(0));
  await signIn(page, 'admin@acme.test');
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).count(), 0);
  await page.goto('/tenants');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  assert.equal((await api(page, 'GET', '/api/v1/tenants')).status, 403);
  await context.close();
});

test('a platform admin creates, filters, edits, suspends and reactivates a tenant', async () => {
  const root = await person(browser, instance(0));
  await signIn(root.page, 'root@tierstate.test');
  await root.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
  const table = root.page.getByRole('table', { name: 'Tenants' });
  await table.getByRole('row').filter({ hasText: 'acme' }).waitFor();

  const slug = `initech-${Date.now().toString(36)}`;
  await root.page.getByRole('button', { name: 'New tenant' }).click();
  const create = root.page.getByRole('dialog', { name: 'New tenant' });
  await create.getByLabel('Slug').fill(slug);
  await create.getByLabel('Name').fill('Initech');
  await create.getByLabel('Plan').selectOption('pro');
  await create.getByRole('button', { name: 'Create tenant' }).click();
  const row = table.getByRole('row').filter({ hasText: slug });
  await row.waitFor();

  await root.page.getByLabel('Plan').first().selectOption('pro');
  // globex is on the free plan: the filter hides it.
  await table.getByRole('row').filter({ hasText: 'globex' }).waitFor({ state: 'detached' });
  await row.waitFor();
  await screenshot(root.page, 'tenants');

  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = root.page.getByRole('dialog', { name: 'Edit tenant' });
  await edit.getByLabel('Name').fill('Initech Corporation');
  await edit.getByLabel('Plan').selectOption('enterprise');
  await edit.getByRole('button', { name: 'Save' }).click();
  await root.page.getByLabel('Plan').first().selectOption('');
  await table.getByRole('row').filter({ hasText: 'Initech Corporation' }).filter({ hasText: 'enterprise' }).waitFor();
  await root.context.close();
});

test('suspending a tenant signs its users out of their open consoles', async () => {
  const globex = await person(browser, instance(1));
  await signIn(globex.page, 'bob@globex.test');
  await globex.page.getByRole('status').filter({ hasText: 'Live updates: live' }).waitFor();

  const root = await person(browser, instance(0));
  await signIn(root.page, 'root@tierstate.test');
  await root.page.goto('/tenants');
  const row = root.page.getByRole('table', { name: 'Tenants' }).getByRole('row').filter({ hasText: 'globex' });
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = root.page.getByRole('dialog', { name: 'Edit tenant' });
  await edit.getByLabel('Status').selectOption('suspended');
  await edit.getByRole('button', { name: 'Save' }).click();
  await row.filter({ hasText: 'suspended' }).waitFor();

  await globex.page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
  await globex.page.getByLabel('E-mail address').fill('bob@globex.test');
  await globex.page.getByLabel('Password').fill('tierstate-demo');
  await globex.page.getByRole('button', { name: 'Sign in' }).click();
  await globex.page.getByRole('alert').filter({ hasText: /suspended/i }).waitFor();

  await row.getByRole('button', { name: 'Edit' }).click();
  await edit.getByLabel('Status').selectOption('active');
  await edit.getByRole('button', { name: 'Save' }).click();
  await row.filter({ hasText: 'active' }).waitFor();
  await globex.page.getByLabel('Password').fill('tierstate-demo');
  await globex.page.getByRole('button', { name: 'Sign in' }).click();
  await globex.page.getByRole('navigation', { name: 'Main' }).waitFor();
  await root.context.close();
  await globex.context.close();
});
