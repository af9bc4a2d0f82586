import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { User, UserStatus } from '../api/types';
import { can, useSignedIn } from '../auth/useSession';
import { Dialog, DialogButtons } from '../components/Dialog';
import { ErrorAlert } from '../components/Feedback';
import { useCreateUser, useDeleteUsers, useUpdateUser } from '../query/mutations';
import { queries } from '../query/queries';

type UserFormProps =
  | { mode: 'create'; onClose(): void; onDone(email: string): void }
  | { mode: 'edit'; userId: string; listed: User | undefined; onClose(): void; onDone(email: string): void };

/**
 * Create or edit a user. The change shows in the table at once (optimistic); the dialog stays
 * open until the server agrees, and shows the server's message if it does not (the table then
 * returns to what it was).
 */
export function UserFormDialog(props: UserFormProps) {
  if (props.mode === 'create') return <CreateUserDialog onClose={props.onClose} onDone={props.onDone} />;
  return <EditUserDialog userId={props.userId} listed={props.listed} onClose={props.onClose} onDone={props.onDone} />;
}

function CreateUserDialog({ onClose, onDone }: { onClose(): void; onDone(email: string): void }) {
  const session = useSignedIn();
  const create = useCreateUser(session.tenant.id);
  const mayAssign = can(session, 'roles:assign');
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['member']);
  const ids = { email: useId(), name: useId(), password: useId(), hint: useId() };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (create.isPending) return;
    create.mutate(
      { email, displayName, password, ...(mayAssign ? { roles } : {}) },
      { onSuccess: (user) => { onDone(user.email); onClose(); } },
    );
  };

  return (
    <Dialog title="New user" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={ids.email}>E-mail address</label>
          <input id={ids.email} type="email" required autoComplete="off" value={email} data-autofocus
            onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Display name</label>
          <input id={ids.name} type="text" required maxLength={200} value={displayName}
            onChange={(e) => setDisplayName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input id={ids.password} type="password" required minLength={12} autoComplete="new-password"
            aria-describedby={ids.hint} value={password} onChange={(e) => setPassword(e.target.value)} />
          <p id={ids.hint} className="hint">At least 12 characters.</p>
        </div>
        {mayAssign ? <RoleChoice value={roles} onChange={setRoles} /> : null}
        <ErrorAlert error={create.error} prefix="The user was not created" />
        <DialogButtons submitLabel="Create user" pending={create.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function EditUserDialog({ userId, listed, onClose, onDone }: {
  userId: string; listed: User | undefined; onClose(): void; onDone(email: string): void;
}) {
  const session = useSignedIn();
  // The detail brings the ETag that the change is sent with (If-Match): a change made by someone
  // else in between is refused (412) rather than overwritten.
  const detail = useQuery(queries.user(session.tenant.id, userId));
  const user = detail.data ?? listed;
  return (
    <Dialog title="Edit user" onClose={onClose} description={user ? <p>{user.email}</p> : undefined}>
      {detail.isError ? <ErrorAlert error={detail.error} prefix="The user could not be loaded" /> : null}
      {detail.data ? (
        <EditUserForm user={detail.data} onClose={onClose} onDone={onDone} />
      ) : detail.isError ? (
        <div className="dialog-buttons"><button type="button" className="button" onClick={onClose}>Cancel</button></div>
      ) : (
        <p role="status">Loading the user…</p>
      )}
    </Dialog>
  );
}

function EditUserForm({ user, onClose, onDone }: { user: User; onClose(): void; onDone(email: string): void }) {
  const session = useSignedIn();
  const update = useUpdateUser(session.tenant.id);
  const mayAssign = can(session, 'roles:assign');
  const self = user.id === session.user.id;
  const [displayName, setDisplayName] = useState(user.displayName);
  const [status, setStatus] = useState<UserStatus>(user.status);
  const [roles, setRoles] = useState<string[]>(user.roles);
  const ids = { name: useId(), status: useId() };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (update.isPending) return;
    const changes = {
      ...(displayName !== user.displayName ? { displayName } : {}),
      ...(status !== user.status ? { status } : {}),
      ...(mayAssign && !sameSet(roles, user.roles) ? { roles } : {}),
    };
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    update.mutate({ userId: user.id, changes }, { onSuccess: (saved) => { onDone(saved.email); onClose(); } });
  };

  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={ids.name}>Display name</label>
        <input id={ids.name} type="text" required maxLength={200} value={displayName} data-autofocus
          onChange={(e) => setDisplayName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.status}>Status</label>
        <select id={ids.status} value={status} disabled={self}
          onChange={(e) => setStatus(e.target.value === 'suspended' ? 'suspended' : 'active')}>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
        </select>
        {self ? <p className="hint">You cannot suspend yourself.</p> : null}
      </div>
      {mayAssign ? <RoleChoice value={roles} onChange={setRoles} /> : (
        <p className="hint">Roles: {user.roles.join(', ')} (assigning roles needs the roles:assign permission)</p>
      )}
      <ErrorAlert error={update.error} prefix="The changes were not saved" />
      <DialogButtons submitLabel="Save changes" pending={update.isPending} onCancel={onClose} />
    </form>
  );
}

/** Role checkboxes, offered only to users who may assign roles. */
function RoleChoice({ value, onChange }: { value: string[]; onChange(roles: string[]): void }) {
  const session = useSignedIn();
  const roles = useQuery(queries.roles(session.tenant.id));
  const baseId = useId();
  return (
    <fieldset className="fieldset">
      <legend>Roles</legend>
      {roles.isPending ? <p role="status">Loading roles…</p> : null}
      <ErrorAlert error={roles.error} prefix="The roles could not be loaded" />
      {(roles.data ?? []).map((role, index) => {
        const id = `${baseId}-${index}`;
        return (
          <div className="check" key={role.name}>
            <input
              id={id}
              type="checkbox"
              checked={value.includes(role.name)}
              onChange={(e) => onChange(e.target.checked ? [...value, role.name] : value.filter((r) => r !== role.name))}
            />
            <label htmlFor={id}>{role.name}</label>
            {role.description ? <span className="hint"> {role.description}</span> : null}
          </div>
        );
      })}
    </fieldset>
  );
}

/** Confirms deleting one user or the selection. */
export function DeleteUsersDialog({ userIds, users, onClose, onDone }: {
  userIds: string[]; users: User[]; onClose(): void; onDone(count: number): void;
}) {
  const session = useSignedIn();
  const remove = useDeleteUsers(session.tenant.id);
  const count = userIds.length;
  const title = count === 1 ? 'Delete user' : `Delete ${count} users`;
  const names = users.map((u) => u.email);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (remove.isPending) return;
    remove.mutate(userIds, { onSuccess: () => { onDone(count); onClose(); } });
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      description={
        <p>
          {count === 1 ? `Delete ${names[0] ?? 'this user'}?` : `Delete these ${count} users: ${names.join(', ')}?`}
          {' '}Their sessions end at once. This cannot be undone.
        </p>
      }
    >
      <form className="form" onSubmit={submit}>
        <ErrorAlert error={remove.error} prefix="Not deleted" />
        <DialogButtons submitLabel="Delete" pending={remove.isPending} onCancel={onClose} danger />
      </form>
    </Dialog>
  );
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
