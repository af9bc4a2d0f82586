import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { can, SignedInContext, useSession } from '../auth/useSession';
import { messageOf } from '../api/errors';
import type { Session } from '../api/types';
import { DashboardPage } from '../dashboard/DashboardPage';
import { DevicesPage } from '../pages/DevicesPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { OverviewPage } from '../pages/OverviewPage';
import { ProfilePage } from '../pages/ProfilePage';
import { SignInPage } from '../pages/SignInPage';
import { TenantsPage } from '../pages/TenantsPage';
import { UsersPage } from '../pages/UsersPage';
import { Redirect, safeNext, usePathname } from '../router/router';
import { useUiStore } from '../state/uiStore';
import { live } from './services';

/** Applies the theme preference: `data-theme` on <html>, or none to follow the system. */
function useTheme() {
  const { theme, language } = useUiStore(useShallow((s) => ({ theme: s.preferences.theme, language: s.preferences.language })));
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    root.lang = language;
  }, [theme, language]);
}

/** The routes: `/sign-in` for everyone, the rest behind the session; the tenants page for platform admins only. */
export function App() {
  useTheme();
  const pathname = usePathname();
  const session = useSession();

  // One event stream per tab while signed in.
  const tenantId = session.data?.tenant.id;
  const userId = session.data?.user.id;
  useEffect(() => {
    if (tenantId && userId) live.start({ tenantId, userId });
    else live.stop();
  }, [tenantId, userId]);

  if (session.isPending) {
    return <p role="status" className="loading-page">Loading the console…</p>;
  }
  if (session.isError) {
    return (
      <main className="loading-page">
        <h1>Tierstate console</h1>
        <p role="alert" className="alert">The console cannot reach the server: {messageOf(session.error)}</p>
        <button type="button" className="button" onClick={() => void session.refetch()}>Try again</button>
      </main>
    );
  }

  const signedIn = session.data;
  if (pathname === '/sign-in') {
    return signedIn ? <Redirect to={nextFromLocation()} /> : <SignInPage />;
  }
  if (!signedIn) {
    const here = window.location.pathname + window.location.search;
    return <Redirect to={here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`} />;
  }
  return <SignedInContext.Provider value={signedIn}>{page(pathname, signedIn)}</SignedInContext.Provider>;
}

function page(pathname: string, signedIn: Session) {
  switch (pathname) {
    case '/':
      return <Redirect to={can(signedIn, 'users:read') ? '/overview' : '/profile'} />;
    case '/overview':
      return can(signedIn, 'users:read') ? <OverviewPage /> : <NotFoundPage />;
    case '/dashboard':
      // cache:admin sees the node with its tenant's sessions; platform administrators the service.
      return can(signedIn, 'cache:admin') || can(signedIn, 'platform:admin') ? <DashboardPage /> : <NotFoundPage />;
    case '/users':
      return can(signedIn, 'users:read') ? <UsersPage /> : <NotFoundPage />;
    case '/tenants':
      // Unreachable for anyone but platform administrators: the same page as an unknown address.
      return can(signedIn, 'platform:admin') ? <TenantsPage /> : <NotFoundPage />;
    case '/profile':
      return <ProfilePage />;
    case '/devices':
      return <DevicesPage />;
    default:
      return <NotFoundPage />;
  }
}

function nextFromLocation(): string {
  return safeNext(new URLSearchParams(window.location.search).get('next'));
}
