// Shared by the console's browser tests: Debian's Chromium through playwright-core (no browser
// download), the two server instances the Java harness started (ConsoleEndToEndIT), and helpers
// that act as a person would: by role and accessible name.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';

export const PASSWORD = 'tierstate-demo';

/** The base URL of instance A (index 0) or B (index 1). */
export function instance(index) {
  const name = `CONSOLE_URL_${String.fromCharCode(65 + index)}`;
  const url = process.env[name];
  if (!url) {
    throw new Error(`${name} is not set: these tests run from ConsoleEndToEndIT (mvn verify), which starts the servers`);
  }
  return url;
}

// The flags this sandbox needs (see TOOLCHAIN.md); Playwright adds a fresh --user-data-dir itself.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts headless Chromium. Close it in an `after` hook. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A new person: an isolated browser context (own cookies and storage) with one page. */
export async function person(browser, baseURL) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      errors.push(message.text());
    }
  });
  return { context, page, errors };
}

/** Signs in through the sign-in page, as a person would, and waits for the app's navigation. */
export async function signIn(page, email, password = PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Signs out through the header's button, and waits for the sign-in page. */
export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** Everything the page's origin keeps in browser storage that a script can read. */
export async function browserStorage(page) {
  return page.evaluate(async () => {
    const dump = (storage) => Object.fromEntries(
      Array.from({ length: storage.length }, (_, i) => storage.key(i)).map((key) => [key, storage.getItem(key)]));
    const databases = [];
    for (const info of await indexedDB.databases()) {
      const records = await new Promise((resolve, reject) => {
        const open = indexedDB.open(info.name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = Array.from(db.objectStoreNames);
          if (names.length === 0) {
            db.close();
            resolve({});
            return;
          }
          const tx = db.transaction(names, 'readonly');
          const out = {};
          for (const name of names) {
            const request = tx.objectStore(name).getAll();
            request.onsuccess = () => { out[name] = request.result; };
          }
          tx.oncomplete = () => { db.close(); resolve(out); };
          tx.onerror = () => reject(tx.error);
        };
      });
      databases.push({ name: info.name, records });
    }
    return {
      localStorage: dump(localStorage),
      sessionStorage: dump(sessionStorage),
      indexedDB: databases,
      cookie: document.cookie,
    };
  });
}

/** Saves a screenshot of the page as `<name>.png` in E2E_SCREENSHOTS (when set). */
export async function screenshot(page, name) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) {
    return;
  }
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}

/** A unique, valid e-mail address for a user a test creates. */
export function uniqueEmail(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}@acme.test`;
}

/** A JSON API call from inside the page (same origin, its cookies), for set-up and checks. */
export async function api(page, method, path, body, headers = {}) {
  return page.evaluate(async ({ method, path, body, headers }) => {
    const response = await fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : null };
  }, { method, path, body, headers });
}

/** Polls `probe` until it returns true, or fails naming `what` after `timeout` ms. */
export async function eventually(what, probe, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The shared Redis's port, when the Java harness gave it (E2E_REDIS_PORT); else null. */
export const REDIS_PORT = process.env.E2E_REDIS_PORT ? Number(process.env.E2E_REDIS_PORT) : null;

/**
 * Freezes the shared Redis for `millis` (CLIENT PAUSE ... ALL: no client command is answered until
 * then, as with a hung server); Redis lifts the pause by itself, so a failed test cannot leave it
 * frozen.
 */
export async function pauseRedis(millis) {
  if (REDIS_PORT === null) throw new Error('E2E_REDIS_PORT is not set');
  const args = ['CLIENT', 'PAUSE', String(millis), 'ALL'];
  const command = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  await new Promise((resolve, reject) => {
    const socket = connect(REDIS_PORT, '127.0.0.1', () => socket.write(command));
    socket.setTimeout(5000, () => socket.destroy(new Error('Redis did not answer CLIENT PAUSE')));
    socket.once('data', (reply) => {
      socket.end();
      const text = reply.toString();
      if (text.startsWith('+OK')) resolve(); else reject(new Error(`CLIENT PAUSE answered ${text.trim()}`));
    });
    socket.once('error', reject);
  });
}
