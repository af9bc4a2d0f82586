import { queryOptions, useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { ApiError } from '../api/errors';
import type { Session } from '../api/types';
import { ep } from '../app/services';
import { staleTimes } from '../query/client';
import { sessionKeys } from '../query/keys';

/**
 * Who is signed in, or null. A 401 (after the shared refresh failed) means nobody: that is an
 * answer, not an error; so is a 403 `tenant_suspended` (the API client has already signed the tab
 * out). Never retried, never persisted.
 */
export const sessionQuery = queryOptions({
  queryKey: sessionKeys.session(),
  queryFn: async ({ signal }): Promise<Session | null> => {
    try {
      return await ep.session(signal);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.code === 'tenant_suspended')) return null;
      throw error;
    }
  },
  retry: false,
  staleTime: staleTimes.session,
});

export function useSession() {
  return useQuery(sessionQuery);
}

/**
 * The signed-in session, handed down by the route guard. A context rather than the query itself:
 * when the session ends, the guard swaps the page for the sign-in redirect in the same render, so
 * no page ever renders with a null session in between.
 */
export const SignedInContext = createContext<Session | null>(null);

export function useSignedIn(): Session {
  const session = useContext(SignedInContext);
  if (!session) throw new Error('useSignedIn is for pages under the session guard (SignedInContext)');
  return session;
}

export function can(session: Session | null | undefined, permission: string): boolean {
  return session?.permissions.includes(permission) ?? false;
}
