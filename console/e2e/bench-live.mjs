// Benchmark (not a test): how long from a PATCH answered by instance A until browser B, signed in
// on instance B with the users page open, shows the new value. Run through ConsoleEndToEndIT with
// -Dconsole.bench=true (see docs/benchmarks.md), which starts PostgreSQL, Redis and both instances.
// Also reports the gzipped size of the JavaScript the console ships.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { instance, launch, person, signIn, PASSWORD } from './support.mjs';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
const REPORT = process.env.BENCH_REPORT;
const now = () => performance.timeOrigin + performance.now();

/** Signs in from Node on `base` and returns a fetch that sends the cookies and the Origin. */
async function apiSession(base, email) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (login.status !== 200) {
    throw new Error(`login on ${base}: ${login.status} ${await login.text()}`);
  }
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const session = await login.json();
  const call = (method, path, body) => fetch(`${base}${path}`, {
    method,
    headers: { Cookie: cookies, Origin: base, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { call, tenantId: session.tenant.id };
}

function percentile(sorted, p) {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

function shippedJavaScript() {
  const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'classes', 'console', 'assets');
  let raw = 0;
  let gzipped = 0;
  for (const name of readdirSync(assets).filter((n) => n.endsWith('.js'))) {
    const bytes = readFileSync(join(assets, name));
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzipped };
}

const a = await apiSession(instance(0), 'admin@acme.test');
const users = await (await a.call('GET', `/api/v1/tenants/${a.tenantId}/users?q=carol`)).json();
const carol = users.items[0];
const browser = await launch();
const latencies = [];
try {
  const { page } = await person(browser, instance(1));
  await signIn(page, 'admin@acme.test');
  await page.goto('/users');
  await page.getByRole('table', { name: 'Users' }).waitFor();
  for (let i = 0; i < CHANGES; i++) {
    const name = `Carol bench ${i} ${Math.random().toString(36).slice(2, 8)}`;
    // The browser notes when the name first appears in the page, from a mutation observer that is
    // in place (the evaluate has returned) before the change is sent.
    await page.evaluate((expected) => {
      window.benchSeen = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (document.body.textContent.includes(expected)) {
            observer.disconnect();
            resolve(performance.timeOrigin + performance.now());
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    }, name);
    const response = await a.call('PATCH', `/api/v1/tenants/${a.tenantId}/users/${carol.id}`, { displayName: name });
    const answered = now();
    if (response.status !== 200) {
      throw new Error(`PATCH ${response.status}: ${await response.text()}`);
    }
    const shown = await page.evaluate(() => window.benchSeen);
    latencies.push(shown - answered);
  }
} finally {
  await browser.close();
}

latencies.sort((x, y) => x - y);
const js = shippedJavaScript();
const ms = (v) => v.toFixed(1);
const lines = [
  `Live invalidation, PATCH answered on instance A → browser B (on instance B) shows it; ${CHANGES} changes:`,
  `p50 ${ms(percentile(latencies, 50))} ms, p90 ${ms(percentile(latencies, 90))} ms, ` +
    `p99 ${ms(percentile(latencies, 99))} ms, max ${ms(latencies[latencies.length - 1])} ms`,
  `JavaScript shipped: ${(js.raw / 1024).toFixed(1)} KiB, ${(js.gzipped / 1024).toFixed(1)} KiB gzipped`,
];
console.log(lines.join('\n'));
if (REPORT) {
  writeFileSync(REPORT, lines.join('\n') + '\n');
}
