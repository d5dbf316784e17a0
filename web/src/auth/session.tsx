// Who is signed in: the /auth/me query, plus the hooks the rest of the app reads it with.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { api, ApiError, onGateRequired, onUnauthorized, setCsrfToken } from '../api/client';
import type { Me, Meta } from '../api/types';

export const ME_KEY = ['me'] as const;

async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api.get<Me>('/auth/me', { quiet401: true });
    setCsrfToken(me.csrfToken);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

/** Forget everything cached for the previous user and show the login page. */
export function signOutLocally(client: QueryClient): void {
  setCsrfToken(null);
  client.setQueryData(ME_KEY, null);
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] && q.queryKey[0] !== 'meta' });
}

/** After a successful login (or MFA step): reload who we are. */
export async function signedIn(client: QueryClient, csrfToken: string): Promise<void> {
  setCsrfToken(csrfToken);
  await client.fetchQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 0 });
}

export function useMeQuery() {
  const client = useQueryClient();
  useEffect(() => {
    onUnauthorized(() => {
      const wasSignedIn = Boolean(client.getQueryData(ME_KEY));
      signOutLocally(client);
      if (wasSignedIn) {
        notifications.show({ id: 'session-ended', color: 'yellow', title: 'Signed out', message: 'Your session has ended. Please sign in again.' });
      }
    });
    onGateRequired(() => void client.invalidateQueries({ queryKey: ME_KEY }));
    return () => {
      onUnauthorized(null);
      onGateRequired(null);
    };
  }, [client]);
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });
}

export function useMetaQuery() {
  return useQuery({ queryKey: ['meta'], queryFn: () => api.get<Meta>('/meta', { quiet401: true }), staleTime: 300_000 });
}

const MeContext = createContext<Me | null>(null);

export function MeProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

/** The signed-in user's session; only valid inside the authenticated app. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe() used outside the signed-in app');
  return me;
}

export function useLogout() {
  const client = useQueryClient();
  return async (everywhere = false) => {
    try {
      await api.post(everywhere ? '/auth/logout-all' : '/auth/logout');
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    signOutLocally(client);
  };
}
