import { describe, expect, it } from 'vitest';
import type { DashboardSample } from '../api/types';
import { merge, namesOf, tierShares, WINDOW_POINTS } from './points';

const sample = (seq: number, reads = { l1: 0, l2: 0, db: 0 }): DashboardSample => ({
  seq, t: seq * 2000, reads, l1Size: 0, evictions: {}, staleServed: {}, fillsRejected: {}, loadFailures: 0,
  invalidations: { sent: 0, received: 0 }, propagationLag: {}, latency: {}, http: {}, redis: { breaker: 'CLOSED' },
  writeBehind: { pending: 0, lagSeconds: 0, deadLetters: 0, unreachableSeconds: 0 }, rateLimit: {}, sessions: { started: 0, ended: 0 },
});
const browser = { cacheAnswers: 6, requests: 4, notModified: 2, liveRefetches: 1 };

describe('dashboard points', () => {
  it('appends newer samples once, giving the browser counts to the newest only', () => {
    const first = merge([], [sample(1), sample(2)], browser);
    expect(first.map((p) => p.sample.seq)).toEqual([1, 2]);
    expect(first[0]!.browser.cacheAnswers).toBe(0);
    expect(first[1]!.browser.cacheAnswers).toBe(6);
    const again = merge(first, [sample(2), sample(3)], browser);
    expect(again.map((p) => p.sample.seq)).toEqual([1, 2, 3]);
    expect(merge(again, [], browser)).toBe(again);
  });

  it('keeps 15 minutes of points', () => {
    const many = Array.from({ length: WINDOW_POINTS + 10 }, (_, i) => sample(i + 1));
    const points = merge([], many, browser);
    expect(points).toHaveLength(WINDOW_POINTS);
    expect(points[0]!.sample.seq).toBe(11);
  });

  it('shares each read among the tiers, browser ones included', () => {
    const [point] = merge([], [sample(1, { l1: 8, l2: 3, db: 1 })], browser);
    const shares = tierShares(point!);
    expect(shares['browser cache']).toBeCloseTo(30);
    expect(shares['304']).toBeCloseTo(10);
    expect(shares.L1).toBeCloseTo(40);
    expect(shares.L2).toBeCloseTo(15);
    expect(shares.database).toBeCloseTo(5);
    const [idle] = merge([], [sample(1)], { cacheAnswers: 0, requests: 0, notModified: 0, liveRefetches: 0 });
    expect(tierShares(idle!).L1).toBeNull();
  });

  it('names the series found in any point', () => {
    const a = { ...sample(1), latency: { get: { p50: 1, p95: 2, p99: 3 } } };
    const b = { ...sample(2), latency: { put: { p50: 1, p95: 2, p99: 3 } } };
    expect(namesOf(merge([], [a, b], browser), (s) => s.latency)).toEqual(['get', 'put']);
  });
});
