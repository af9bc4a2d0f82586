// The users admin page: filters, sort, selection, persistence of UI state across a reload, and
// optimistic create, edit and delete (with a rollback when the server refuses).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, launch, person, signIn, screenshot, uniqueEmail, api, eventually } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The search box is debounced: wait until the store (persisted UI state) has taken the text.
const searchApplied = (page, text) => eventually(`the search '${text}' is applied`, () =>
  page.evaluate((q) => (localStorage.getItem('tierstate-ui') ?? '').includes(`"q":"${q}"`), text));

const rowOf = (page, email) => page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: email });

test('filters and sort survive a reload; the row selection does not', async () => {
  const { page, context, errors } = await person(browser, instance(0));
  await signIn(page, 'admin@acme.test');
  await page.goto('/users');
  const table = page.getByRole('table', { name: 'Users' });
  await table.waitFor();
  await rowOf(page, 'alice@acme.test').waitFor();

  await page.getByLabel('Status').selectOption('active');
  await page.getByRole('searchbox', { name: 'Search' }).fill('a');
  await searchApplied(page, 'a');
  await table.getByRole('button', { name: 'E-mail' }).click(); // sort by e-mail
  await rowOf(page, 'alice@acme.test').getByRole('checkbox').check();
  await assert.doesNotReject(page.getByRole('button', { name: 'Delete selected (1)' }).waitFor());
  await screenshot(page, 'users');

  // Changing a filter clears the selection.
  await page.getByRole('searchbox', { name: 'Search' }).fill('al');
  await searchApplied(page, 'al');
  await eventually('the selection is cleared', async () =>
    !(await rowOf(page, 'alice@acme.test').getByRole('checkbox').isChecked()));
  await page.getByRole('button', { name: 'Delete selected', exact: true }).waitFor();
  await rowOf(page, 'alice@acme.test').getByRole('checkbox').check();

  await page.reload();
  await table.waitFor();
  assert.equal(await page.getByRole('searchbox', { name: 'Search' }).inputValue(), 'al');
  assert.equal(await page.getByLabel('Status').inputValue(), 'active');
  const emailHeader = table.getByRole('columnheader', { name: /E-mail/ });
  assert.equal(await emailHeader.getAttribute('aria-sort'), 'ascending');
  await rowOf(page, 'alice@acme.test').waitFor();
  assert.equal(await rowOf(page, 'alice@acme.test').getByRole('checkbox').isChecked(), false, 'selection is not persisted');
  // Only alice matches "al" among the active users of acme.
  await eventually('only alice is listed', async () => (await table.getByRole('row').count()) === 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('create, edit and delete a user through the dialogs', async () => {
  const { page, context } = await person(browser, instance(0));
  await signIn(page, 'admin@acme.test');
  await page.goto('/users');
  await page.getByRole('table', { name: 'Users' }).waitFor();
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  const email = uniqueEmail('dora');

  await page.getByRole('button', { name: 'New user' }).click();
  const create = page.getByRole('dialog', { name: 'New user' });
  await create.getByLabel('E-mail address').fill(email);
  await create.getByLabel('Display name').fill('Dora Explorer');
  await create.getByLabel('Password').fill('a long enough password');
  await screenshot(page, 'users-create');
  await create.getByRole('button', { name: 'Create user' }).click();
  await rowOf(page, email).waitFor();
  await create.waitFor({ state: 'detached' });

  await rowOf(page, email).getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit user' });
  await edit.getByLabel('Display name').fill('Dora the Explorer');
  await edit.getByRole('checkbox', { name: 'tenant_admin' }).check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await rowOf(page, email).filter({ hasText: 'Dora the Explorer' }).waitFor();
  await rowOf(page, email).filter({ hasText: 'tenant_admin' }).waitFor();

  await rowOf(page, email).getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete user' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await rowOf(page, email).waitFor({ state: 'detached' });

  // The server agrees.
  const session = await api(page, 'GET', '/api/v1/auth/session');
  const list = await api(page, 'GET', `/api/v1/tenants/${session.body.tenant.id}/users?q=${encodeURIComponent(email)}`);
  assert.equal(list.body.total, 0);
  await context.close();
});

test('a refused create rolls back its optimistic row and shows the server\'s message', async () => {
  const { page, context } = await person(browser, instance(1));
  await signIn(page, 'admin@acme.test');
  await page.goto('/users');
  await page.getByRole('table', { name: 'Users' }).waitFor();
  await page.getByRole('button', { name: 'New user' }).click();
  const create = page.getByRole('dialog', { name: 'New user' });
  await create.getByLabel('E-mail address').fill('alice@acme.test'); // taken
  await create.getByLabel('Display name').fill('Second Alice');
  await create.getByLabel('Password').fill('a long enough password');
  await create.getByRole('button', { name: 'Create user' }).click();
  const alert = page.getByRole('alert').filter({ hasText: /already/i });
  await alert.waitFor();
  await screenshot(page, 'users-error');
  assert.equal(await page.getByRole('table', { name: 'Users' }).getByText('Second Alice').count(), 0,
    'the optimistic row is gone');
  await context.close();
});

test('a member sees users but no control to change them', async () => {
  const { page, context } = await person(browser, instance(0));
  await signIn(page, 'carol@acme.test');
  await page.goto('/users');
  await rowOf(page, 'alice@acme.test').waitFor();
  assert.equal(await page.getByRole('button', { name: 'New user' }).count(), 0);
  assert.equal(await rowOf(page, 'alice@acme.test').getByRole('button', { name: 'Delete' }).count(), 0);
  await context.close();
});
