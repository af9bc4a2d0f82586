import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DeviceSession } from '../api/types';
import { Layout } from '../app/Layout';
import { endSession, ep } from '../app/services';
import { useIntl } from '../app/useIntl';
import { useSignedIn } from '../auth/useSession';
import { Dialog, DialogButtons } from '../components/Dialog';
import { ErrorAlert, formatDateTime } from '../components/Feedback';
import { useSignOutDevice } from '../query/mutations';
import { queries } from '../query/queries';
import { useUiStore } from '../state/uiStore';

/** A readable name for a browser from its User-Agent: "Firefox on Linux". */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent) ? 'Edge'
    : /OPR\//.test(userAgent) ? 'Opera'
      : /Firefox\//.test(userAgent) ? 'Firefox'
        : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome'
          : /Safari\//.test(userAgent) ? 'Safari'
            : /curl\//.test(userAgent) ? 'curl' : 'A browser';
  const os = /Windows/.test(userAgent) ? 'Windows'
    : /Android/.test(userAgent) ? 'Android'
      : /iPhone|iPad/.test(userAgent) ? 'iOS'
        : /Mac OS X|Macintosh/.test(userAgent) ? 'macOS'
          : /Linux/.test(userAgent) ? 'Linux' : null;
  return os ? `${browser} on ${os}` : browser;
}

/** My devices: every session of the signed-in user, this one marked; sign out one, or all. */
export function DevicesPage() {
  const session = useSignedIn();
  const intl = useIntl();
  const devices = useQuery(queries.devices(session.tenant.id, session.user.id));
  const signOutOne = useSignOutDevice(session.tenant.id, session.user.id);
  const { modal, openModal, closeModal } = useUiStore(useShallow((s) => ({
    modal: s.modal, openModal: s.openModal, closeModal: s.closeModal,
  })));
  const [announcement, setAnnouncement] = useState('');

  const signOut = (device: DeviceSession, label: string) => {
    signOutOne.mutate(device.id, {
      onSuccess: () => {
        // The server cleared this tab's cookies when it was this device.
        if (device.current) endSession('signed-out');
        else setAnnouncement(`${label} signed out.`);
      },
    });
  };

  return (
    <Layout title="My devices">
      <p className="muted">Everywhere you are signed in, most recently active first.</p>
      <div className="toolbar">
        <button type="button" className="button button-danger" onClick={() => openModal({ kind: 'devices-sign-out-all' })}>
          Sign out all devices
        </button>
      </div>
      <p role="status" className="announcement">{announcement}</p>
      <ErrorAlert error={devices.error} prefix="Your devices could not be loaded" />
      <ErrorAlert error={signOutOne.error} prefix="The device was not signed out" />
      <div className="table-wrap">
        <table className="table" aria-busy={devices.isFetching}>
          <caption>Signed-in devices</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Address</th>
              <th scope="col">Last activity</th>
              <th scope="col">Signed in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {devices.isPending ? <tr><td colSpan={5}>Loading devices…</td></tr> : null}
            {(devices.data ?? []).map((device) => {
              const label = describeDevice(device.userAgent);
              return (
                <tr key={device.id} className={device.current ? 'row-current' : undefined}>
                  <td>
                    {label}
                    {device.current ? <span className="tag">This device</span> : null}
                  </td>
                  <td>{device.ipAddress ?? 'unknown'}</td>
                  <td>{formatDateTime(device.lastActiveAt, intl.locale, intl.timeZone)}</td>
                  <td>{formatDateTime(device.createdAt, intl.locale, intl.timeZone)}</td>
                  <td>
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={device.current ? 'Sign out this device' : `Sign out ${label}, ${device.ipAddress ?? 'unknown address'}`}
                      onClick={() => signOut(device, label)}
                    >
                      Sign out
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {modal?.kind === 'devices-sign-out-all' ? <SignOutAllDialog onClose={closeModal} /> : null}
    </Layout>
  );
}

function SignOutAllDialog({ onClose }: { onClose(): void }) {
  const logoutAll = useMutation({
    mutationFn: () => ep.logoutAll(),
    onSuccess: () => endSession('everywhere'),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!logoutAll.isPending) logoutAll.mutate();
  };
  return (
    <Dialog
      title="Sign out all devices"
      onClose={onClose}
      description={<p>Every session of your account ends, this one included; you will need to sign in again.</p>}
    >
      <form className="form" onSubmit={submit}>
        <ErrorAlert error={logoutAll.error} prefix="Not signed out" />
        <DialogButtons submitLabel="Sign out everywhere" pending={logoutAll.isPending} onCancel={onClose} danger />
      </form>
    </Dialog>
  );
}
