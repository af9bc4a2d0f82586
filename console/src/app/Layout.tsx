import { useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { can, useSignedIn } from '../auth/useSession';
import { Link, usePathname } from '../router/router';
import { useUiStore } from '../state/uiStore';
import { live, signOut } from './services';
import type { StreamState } from '../live/stream';

const streamLabels: Record<StreamState, string> = {
  off: 'off',
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting',
  offline: 'offline',
};

/** The header's live-update indicator; a polite status region, so changes are announced. */
function StreamStatus() {
  const state = useSyncExternalStore(live.subscribe, live.getState);
  return (
    <p role="status" className={`stream stream-${state}`}>
      <span className="stream-dot" aria-hidden="true" />
      Live updates: {streamLabels[state]}
    </p>
  );
}

let lastPathShown: string | null = null;

interface NavItem {
  to: string;
  label: string;
  visible: boolean;
}

/** The signed-in shell: skip link, header, navigation, and the page in `<main>`. */
export function Layout({ title, children }: { title: string; children: ReactNode }) {
  const session = useSignedIn();
  const pathname = usePathname();
  const { collapsed, setCollapsed } = useUiStore(
    useShallow((s) => ({ collapsed: s.preferences.sidebarCollapsed, setCollapsed: s.setSidebarCollapsed })),
  );
  const [signingOut, setSigningOut] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = `${title} · Tierstate console`;
    // After navigating (not on the first page shown), start screen readers and keyboards at the
    // new page's heading. Each page mounts its own Layout, so the last path is kept outside it.
    if (lastPathShown !== null && lastPathShown !== pathname) heading.current?.focus();
    lastPathShown = pathname;
  }, [title, pathname]);

  const nav: NavItem[] = [
    { to: '/overview', label: 'Overview', visible: can(session, 'users:read') },
    { to: '/users', label: 'Users', visible: can(session, 'users:read') },
    { to: '/dashboard', label: 'Dashboard', visible: can(session, 'cache:admin') || can(session, 'platform:admin') },
    { to: '/tenants', label: 'Tenants', visible: can(session, 'platform:admin') },
    { to: '/profile', label: 'My profile', visible: true },
    { to: '/devices', label: 'My devices', visible: true },
  ];

  const who = session.user.displayName || session.user.email;
  const tenant = session.tenant.name || session.tenant.slug || '';

  return (
    <div className={collapsed ? 'shell shell-collapsed' : 'shell'}>
      <a className="skip-link" href="#main">Skip to main content</a>
      <header className="header">
        <span className="brand">Tierstate console</span>
        <StreamStatus />
        <p className="whoami">
          Signed in as <strong>{who}</strong>{tenant ? <> ({tenant})</> : null}
        </p>
        <button
          type="button"
          className="button"
          disabled={signingOut}
          onClick={() => {
            setSigningOut(true);
            void signOut();
          }}
        >
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Main">
        <button
          type="button"
          className="button button-quiet sidebar-toggle"
          onClick={() => setCollapsed(!collapsed)}
        >
          <span className="nav-label">{collapsed ? 'Expand sidebar' : 'Collapse sidebar'}</span>
          <span aria-hidden="true"> {collapsed ? '»' : '«'}</span>
        </button>
        <ul>
          {nav.filter((item) => item.visible).map((item) => (
            <li key={item.to}>
              <Link to={item.to} aria-current={pathname === item.to ? 'page' : undefined}>
                <span className="nav-initial" aria-hidden="true">{item.label.replace('My ', '').charAt(0).toUpperCase()}</span>
                <span className="nav-label">{item.label}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <h1 ref={heading} tabIndex={-1}>{title}</h1>
        {children}
      </main>
    </div>
  );
}
