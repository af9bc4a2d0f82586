import type { DashboardSample } from '../api/types';
import type { BrowserTierCounts } from './browserTier';

/** 15 minutes of 2-second samples: what the server keeps, and what the page draws. */
export const WINDOW_POINTS = 450;

/** A server sample, with what this tab's own tier did in the poll that brought it. */
export interface Point {
  sample: DashboardSample;
  browser: BrowserTierCounts;
}

const none: BrowserTierCounts = { cacheAnswers: 0, requests: 0, notModified: 0, liveRefetches: 0 };

/**
 * The points after a poll: `samples` (newer than the last point, oldest first) appended, the
 * browser's counts since the previous poll given to the newest of them (the older ones came from
 * the history, before this tab watched), and the oldest dropped past {@link WINDOW_POINTS}.
 */
export function merge(points: Point[], samples: DashboardSample[], browser: BrowserTierCounts): Point[] {
  const lastSeq = points.length === 0 ? 0 : points[points.length - 1]!.sample.seq;
  const fresh = samples.filter((s) => s.seq > lastSeq);
  if (fresh.length === 0) return points;
  const added = fresh.map((sample, i) => ({ sample, browser: i === fresh.length - 1 ? browser : none }));
  const all = [...points, ...added];
  return all.length > WINDOW_POINTS ? all.slice(all.length - WINDOW_POINTS) : all;
}

export const TIERS = ['browser cache', '304', 'L1', 'L2', 'database'] as const;
export type Tier = (typeof TIERS)[number];

/** Reads answered by each tier in one point. */
export function tierCounts(point: Point): Record<Tier, number> {
  return {
    'browser cache': point.browser.cacheAnswers,
    '304': point.browser.notModified,
    L1: point.sample.reads.l1,
    L2: point.sample.reads.l2,
    database: point.sample.reads.db,
  };
}

/** Each tier's share of the reads in one point, in percent; null when there were no reads. */
export function tierShares(point: Point): Record<Tier, number | null> {
  const counts = tierCounts(point);
  const total = TIERS.reduce((sum, tier) => sum + counts[tier], 0);
  const shares = {} as Record<Tier, number | null>;
  for (const tier of TIERS) shares[tier] = total === 0 ? null : (100 * counts[tier]) / total;
  return shares;
}

/** The names found under `pick` in any point, sorted: the series of a chart whose series vary. */
export function namesOf(points: Point[], pick: (s: DashboardSample) => Record<string, unknown> | undefined): string[] {
  const names = new Set<string>();
  for (const p of points) for (const name of Object.keys(pick(p.sample) ?? {})) names.add(name);
  return [...names].sort();
}
