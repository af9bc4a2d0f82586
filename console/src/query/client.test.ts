import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { createQueryClient, shouldRetry, staleTimes } from './client';

describe('query defaults', () => {
  it('never retry a 4xx, retry other failures up to three times', () => {
    expect(shouldRetry(0, new ApiError(404, 'not_found', 'no'))).toBe(false);
    expect(shouldRetry(0, new ApiError(403, 'forbidden', 'no'))).toBe(false);
    expect(shouldRetry(0, new ApiError(503, 'database_unavailable', 'later'))).toBe(true);
    expect(shouldRetry(2, new TypeError('Failed to fetch'))).toBe(true);
    expect(shouldRetry(3, new TypeError('Failed to fetch'))).toBe(false);
  });

  it('5 minutes fresh, 10 minutes kept, no refetch on focus, mutations never retried', () => {
    const defaults = createQueryClient().getDefaultOptions();
    expect(defaults.queries?.staleTime).toBe(5 * 60_000);
    expect(defaults.queries?.gcTime).toBe(10 * 60_000);
    expect(defaults.queries?.refetchOnWindowFocus).toBe(false);
    expect(defaults.mutations?.retry).toBe(false);
    expect(staleTimes.list).toBe(2 * 60_000);
    expect(staleTimes.permissions).toBe(5 * 60_000);
  });
});
