import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/errors';
import type { Session } from '../api/types';
import { ep } from '../app/services';
import { staleTimes } from '../query/client';
import { sessionKeys } from '../query/keys';

/**
 * Who is signed in, or null. A 401 (after the shared refresh failed) means nobody: that is an
 * answer, not an error. Never retried, never persisted.
 */
export const sessionQuery = queryOptions({
  queryKey: sessionKeys.session(),
  queryFn: async ({ signal }): Promise<Session | null> => {
    try {
      return await ep.session(signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  retry: false,
  staleTime: staleTimes.session,
});

export function useSession() {
  return useQuery(sessionQuery);
}

/** The signed-in session; only for components rendered under the session guard. */
export function useSignedIn(): Session {
  const { data } = useSession();
  if (!data) throw new Error('useSignedIn outside the session guard');
  return data;
}

export function can(session: Session | null | undefined, permission: string): boolean {
  return session?.permissions.includes(permission) ?? false;
}
