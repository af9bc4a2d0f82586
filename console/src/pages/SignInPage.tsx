import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ErrorAlert } from '../components/Feedback';
import { ep } from '../app/services';
import { sessionKeys } from '../query/keys';
import { navigate, safeNext, useSearchParams } from '../router/router';
import { useUiStore } from '../state/uiStore';

/** Sign-in: e-mail and password; the server answers with HTTP-only cookies and the session. */
export function SignInPage() {
  const client = useQueryClient();
  const next = safeNext(useSearchParams().get('next'));
  const notice = useUiStore((s) => s.signOutNotice);
  const setNotice = useUiStore((s) => s.setSignOutNotice);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const emailId = useId();
  const passwordId = useId();

  useEffect(() => {
    document.title = 'Sign in · Tierstate console';
  }, []);

  const login = useMutation({
    mutationFn: () => ep.login(email, password),
    onSuccess: (session) => {
      setNotice(null);
      client.setQueryData(sessionKeys.session(), session);
      navigate(next, { replace: true });
    },
    onError: () => setPassword(''),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!login.isPending) login.mutate();
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in</h1>
      <p className="muted">Tierstate console</p>
      {/* One status region: why the last session ended, then progress while signing in. */}
      <p role="status" className={notice && !login.isPending ? 'notice' : 'muted'}>
        {login.isPending ? 'Signing in…' : notice ?? ''}
      </p>
      <form onSubmit={submit} className="form" aria-label="Sign in">
        <div className="field">
          <label htmlFor={emailId}>E-mail address</label>
          <input
            id={emailId}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={passwordId}>Password</label>
          <input
            id={passwordId}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorAlert error={login.error} />
        <button type="submit" className="button button-primary" aria-disabled={login.isPending}>Sign in</button>
      </form>
    </main>
  );
}
