import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/errors';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * How long each kind of server data counts as fresh. Lists change most (any user's change lands
 * in them), so they go stale first; permissions and details follow the default; the live event
 * stream invalidates all of them the moment they change, so these are a safety net.
 */
export const staleTimes = {
  default: 5 * MINUTE,
  list: 2 * MINUTE,
  detail: 5 * MINUTE,
  permissions: 5 * MINUTE,
  session: 5 * MINUTE,
  /** Reference data changes with releases of the JDK, not with users. */
  reference: 60 * MINUTE,
} as const;

export const gcTime = 10 * MINUTE;

/** Retry network failures and 5xx at most 3 times; a 4xx is an answer, not an accident. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.isClientError) return false;
  return failureCount < 3;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: staleTimes.default,
        gcTime,
        refetchOnWindowFocus: false,
        retry: shouldRetry,
      },
      // A retried POST could create twice; a mutation's failure goes to the user instead.
      mutations: { retry: false },
    },
  });
}
