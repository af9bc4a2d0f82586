// The console by keyboard alone: the skip link, a dialog that traps focus, closes on Escape and
// gives focus back, and sign-in without a mouse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, launch, person } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return { tag: el?.tagName, name: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '', inDialog: !!el?.closest('[role="dialog"]') };
});

test('sign in, skip to the content and use a dialog with the keyboard only', async () => {
  const { page, context } = await person(browser, instance(0));
  await page.goto('/sign-in');
  await page.getByLabel('E-mail address').focus();
  await page.keyboard.type('admin@acme.test');
  await page.keyboard.press('Tab');
  await page.keyboard.type('tierstate-demo');
  await page.keyboard.press('Enter');
  // Signed in, the console opens at its home page, the tenant overview.
  await page.getByRole('heading', { name: 'Overview' }).waitFor();

  // The first Tab on a fresh page reaches the skip link, which moves focus into <main>.
  await page.goto('/users');
  await page.getByRole('table', { name: 'Users' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Skip to main content');
  await page.keyboard.press('Enter');
  assert.ok(await page.evaluate(() => document.activeElement?.closest('main') !== null), 'focus is in main');

  const newUser = page.getByRole('button', { name: 'New user' });
  await newUser.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  assert.ok((await focused(page)).inDialog, 'focus moved into the dialog');
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    assert.ok((await focused(page)).inDialog, `Tab ${i + 1} kept focus in the dialog`);
  }
  await page.keyboard.press('Shift+Tab');
  assert.ok((await focused(page)).inDialog, 'Shift+Tab kept focus in the dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await focused(page)).name, 'New user', 'focus went back to the button that opened it');

  // Sorting by keyboard: the column's button, then Enter.
  const header = page.getByRole('table', { name: 'Users' }).getByRole('columnheader', { name: /Name/ });
  await header.getByRole('button').focus();
  await page.keyboard.press('Enter');
  assert.match(await header.getAttribute('aria-sort'), /ascending|descending/);
  await context.close();
});
