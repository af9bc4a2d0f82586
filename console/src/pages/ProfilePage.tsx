import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { IntlPreferences } from '../api/types';
import { Layout } from '../app/Layout';
import { useSignedIn } from '../auth/useSession';
import { ErrorAlert } from '../components/Feedback';
import { useUpdatePreferences } from '../query/mutations';
import { queries } from '../query/queries';
import { isPageSize, pageSizes, useUiStore, type Theme } from '../state/uiStore';

const locales: Array<[string, string]> = [
  ['en', 'English'], ['en-GB', 'English (United Kingdom)'], ['en-US', 'English (United States)'],
  ['de', 'Deutsch'], ['de-DE', 'Deutsch (Deutschland)'], ['fr', 'Français'], ['fr-FR', 'Français (France)'],
  ['es', 'Español'], ['it', 'Italiano'], ['nl', 'Nederlands'], ['pt-BR', 'Português (Brasil)'],
  ['pl', 'Polski'], ['sv', 'Svenska'], ['ja', '日本語'], ['zh-CN', '中文（中国）'],
];

/**
 * My profile. Two kinds of settings, kept in two places on purpose: the account's locale and time
 * zone are server data (PostgreSQL, cached by the server, the same on every device, changed through
 * a mutation); theme, sidebar and rows per page are UI data of this browser (the Zustand store,
 * persisted in localStorage, no request involved).
 */
export function ProfilePage() {
  const session = useSignedIn();
  return (
    <Layout title="My profile">
      <dl className="facts">
        <dt>Name</dt><dd>{session.user.displayName}</dd>
        <dt>E-mail address</dt><dd>{session.user.email}</dd>
        <dt>Organisation</dt><dd>{session.tenant.name ?? session.tenant.slug}</dd>
        <dt>Roles</dt><dd>{session.roles.join(', ') || 'none'}</dd>
      </dl>
      <AccountSettings />
      <ConsoleSettings />
    </Layout>
  );
}

function AccountSettings() {
  const session = useSignedIn();
  const prefs = useQuery(queries.preferences(session.tenant.id, session.user.id));
  return (
    <section className="panel" aria-labelledby="account-settings-title">
      <h2 id="account-settings-title">Account settings (saved on the server)</h2>
      <p className="muted">
        Your locale and time zone belong to your account: they are stored by the server, apply on every
        device you sign in from, and format dates throughout the console. Saving sends them to the server.
      </p>
      {prefs.isPending ? <p role="status">Loading your settings…</p> : null}
      <ErrorAlert error={prefs.error} prefix="Your account settings could not be loaded" />
      {prefs.data ? <AccountSettingsForm prefs={prefs.data} /> : null}
    </section>
  );
}

function AccountSettingsForm({ prefs }: { prefs: IntlPreferences }) {
  const session = useSignedIn();
  const update = useUpdatePreferences(session.tenant.id, session.user.id);
  const [locale, setLocale] = useState(prefs.locale);
  const [timeZone, setTimeZone] = useState(prefs.timeZone);
  const [saved, setSaved] = useState('');
  const zones = useQuery(queries.timeZones(prefs.locale));
  const ids = { locale: useId(), zone: useId() };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (update.isPending) return;
    setSaved('');
    const changes = {
      ...(locale !== prefs.locale ? { locale } : {}),
      ...(timeZone !== prefs.timeZone ? { timeZone } : {}),
    };
    if (Object.keys(changes).length === 0) {
      setSaved('Nothing to save: no setting changed.');
      return;
    }
    update.mutate(changes, { onSuccess: () => setSaved('Account settings saved.') });
  };

  const zoneItems = zones.data ?? [];
  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={ids.locale}>Locale</label>
        <select id={ids.locale} value={locale} onChange={(e) => setLocale(e.target.value)}>
          {locales.some(([tag]) => tag === locale) ? null : <option value={locale}>{locale}</option>}
          {locales.map(([tag, name]) => <option key={tag} value={tag}>{name} ({tag})</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.zone}>Time zone</label>
        <select id={ids.zone} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
          {zoneItems.some((z) => z.id === timeZone) ? null : <option value={timeZone}>{timeZone}</option>}
          {zoneItems.map((z) => <option key={z.id} value={z.id}>{z.id} (UTC{z.standardOffset})</option>)}
        </select>
      </div>
      <ErrorAlert error={update.error} prefix="Your account settings were not saved" />
      <div className="form-buttons">
        <button type="submit" className="button button-primary" aria-disabled={update.isPending}>Save account settings</button>
        <p role="status" className="muted">{update.isPending ? 'Saving…' : saved}</p>
      </div>
    </form>
  );
}

function ConsoleSettings() {
  const prefs = useUiStore(useShallow((s) => s.preferences));
  const actions = useUiStore(useShallow((s) => ({
    setTheme: s.setTheme, setLanguage: s.setLanguage, setPageSize: s.setPageSize, setSidebarCollapsed: s.setSidebarCollapsed,
  })));
  const ids = { language: useId(), size: useId(), sidebar: useId(), theme: useId() };
  const themes: Array<[Theme, string]> = [['light', 'Light'], ['dark', 'Dark'], ['system', 'System']];
  return (
    <section className="panel" aria-labelledby="console-settings-title">
      <h2 id="console-settings-title">Console settings (this browser only)</h2>
      <p className="muted">
        These change how the console looks in this browser. They apply at once, are kept in this
        browser's local storage (with your table filters and sort orders, and nothing else), and never
        reach the server, so another device keeps its own.
      </p>
      <div className="form">
        <fieldset className="fieldset">
          <legend>Theme</legend>
          {themes.map(([value, label]) => (
            <div className="check" key={value}>
              <input id={`${ids.theme}-${value}`} type="radio" name="theme" value={value}
                checked={prefs.theme === value} onChange={() => actions.setTheme(value)} />
              <label htmlFor={`${ids.theme}-${value}`}>{label}</label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={ids.language}>Console language</label>
          <select id={ids.language} value={prefs.language} onChange={() => actions.setLanguage('en')}>
            <option value="en">English</option>
          </select>
          <p className="hint">The console's texts are in English for now.</p>
        </div>
        <div className="field">
          <label htmlFor={ids.size}>Rows per page</label>
          <select id={ids.size} value={prefs.pageSize} onChange={(e) => {
            const size = Number(e.target.value);
            if (isPageSize(size)) actions.setPageSize(size);
          }}>
            {pageSizes.map((size) => <option key={size} value={size}>{size}</option>)}
          </select>
        </div>
        <div className="check">
          <input id={ids.sidebar} type="checkbox" checked={prefs.sidebarCollapsed}
            onChange={(e) => actions.setSidebarCollapsed(e.target.checked)} />
          <label htmlFor={ids.sidebar}>Collapse the sidebar</label>
        </div>
      </div>
    </section>
  );
}
