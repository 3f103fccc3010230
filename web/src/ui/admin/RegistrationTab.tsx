// Admin → Registration: who may sign up (open / invite only / closed) and the invite codes, with
// their uses and expiry; a new code is shown with a link that opens sign-up with it filled in.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type AdminApi, type Invite, Pager, type RegistrationMode } from '../../state/admin';
import { confirmDialog, ErrorLine, Field } from '../Dialog';
import { ActionButton } from '../dialogs/common';
import { CopyField, formatDateTime, PagerFooter } from './common';

const MODES: { value: RegistrationMode; label: string; hint: string }[] = [
  { value: 'open', label: 'Open', hint: 'Anyone can create an account.' },
  { value: 'invite', label: 'Invite only', hint: 'Sign-up needs an invite code from this page.' },
  { value: 'closed', label: 'Closed', hint: 'Nobody can sign up; administrators create accounts with the chat-server CLI.' },
];

const LIFETIMES: { seconds: number; label: string }[] = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 30 * 86_400, label: '30 days' },
];

/** The link that opens sign-up with `code` filled in. */
export function inviteLink(code: string): string {
  return `${location.origin}/#/register?invite=${encodeURIComponent(code)}`;
}

function ModeForm({ api }: { api: AdminApi }): JSX.Element {
  const [saved, setSaved] = useState<RegistrationMode | null>(null);
  const [choice, setChoice] = useState<RegistrationMode | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.registration().then(
      (mode) => {
        setSaved(mode);
        setChoice(mode);
      },
      setError,
    );
  }, [api]);
  return (
    <form
      class="form admin-section"
      aria-label="Registration mode"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!choice) return;
        setBusy(true);
        setNote('');
        setError(null);
        try {
          const mode = await api.setRegistration(choice);
          setSaved(mode);
          setNote(`Registration is now ${MODES.find((m) => m.value === mode)?.label.toLowerCase() ?? mode}.`);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Who may register</h3>
      <fieldset class="fieldset admin-modes" disabled={!choice}>
        <legend class="visually-hidden">Registration mode</legend>
        {MODES.map((m) => (
          <label key={m.value} class="radio">
            <input type="radio" name="registration" value={m.value} checked={choice === m.value} onChange={() => setChoice(m.value)} />
            <span>
              <strong>{m.label}</strong> <span class="muted">{m.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <ErrorLine error={error} />
      <p class="form-ok" role="status">
        {note}
      </p>
      <div class="dialog-actions">
        <button type="submit" class="button primary" disabled={busy || !choice || choice === saved}>
          Save registration mode
        </button>
      </div>
    </form>
  );
}

function InviteRow({ api, pager, invite }: { api: AdminApi; pager: Pager<Invite>; invite: Invite }): JSX.Element {
  const expired = invite.expires_at !== null && new Date(invite.expires_at).getTime() <= Date.now();
  const state = invite.uses_left === 0 ? 'used up' : expired ? 'expired' : null;
  return (
    <tr data-code={invite.code}>
      <td>
        <code>{invite.code}</code>
        {state ? <span class="tag tag-muted">{state}</span> : null}
      </td>
      <td>
        {invite.uses_left} of {invite.uses_total}
      </td>
      <td>{formatDateTime(invite.expires_at)}</td>
      <td>{formatDateTime(invite.created_at)}</td>
      <td>
        <ActionButton
          className="button danger"
          label="Revoke"
          ariaLabel={`Revoke invite ${invite.code}`}
          action={async () => {
            if (!(await confirmDialog(`Revoke the invite ${invite.code}? Nobody can sign up with it any more.`, 'Revoke invite', true))) return;
            await api.revokeInvite(invite.code);
            pager.remove((i) => i.code === invite.code);
          }}
        />
      </td>
    </tr>
  );
}

function Invites({ api }: { api: AdminApi }): JSX.Element {
  const pager = useMemo(() => new Pager<Invite>(() => api.invites()), [api]);
  const [created, setCreated] = useState<Invite | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void pager.reload();
  }, [pager]);
  const items = pager.items.value;
  return (
    <section class="form admin-section" aria-label="Invites">
      <h3>Invites</h3>
      <form
        class="admin-inline-form"
        aria-label="New invite"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const uses = Number((form.elements.namedItem('uses') as HTMLInputElement).value);
          const seconds = Number((form.elements.namedItem('lifetime') as HTMLSelectElement).value);
          setBusy(true);
          setError(null);
          try {
            const invite = await api.createInvite(uses, seconds);
            setCreated(invite);
            pager.items.value = [invite, ...pager.items.value.filter((i) => i.code !== invite.code)];
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label="Uses">
          <input name="uses" type="number" min={1} max={10000} step={1} defaultValue="1" required />
        </Field>
        <Field label="Expires after">
          <select name="lifetime" defaultValue={String(7 * 86_400)}>
            {LIFETIMES.map((l) => (
              <option key={l.seconds} value={l.seconds}>
                {l.label}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="button primary" disabled={busy}>
          Create invite
        </button>
      </form>
      <ErrorLine error={error} />
      {created ? (
        <div class="admin-created" role="status">
          <p>
            New invite for {created.uses_total} sign-up{created.uses_total === 1 ? '' : 's'}, valid until {formatDateTime(created.expires_at)}.
          </p>
          <CopyField label="Invite code" value={created.code} />
          <CopyField label="Invite link" value={inviteLink(created.code)} />
        </div>
      ) : null}
      <div class="table-wrap">
        <table class="admin-table">
          <caption class="visually-hidden">Invite codes</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Uses left</th>
              <th scope="col">Expires</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <InviteRow key={i.code} api={api} pager={pager} invite={i} />
            ))}
          </tbody>
        </table>
      </div>
      {pager.loaded.value && !items.length ? <p class="muted">No invites. Create one above to let someone sign up while registration is invite only.</p> : null}
      <PagerFooter pager={pager} label="invites" />
    </section>
  );
}

/** The Registration view. */
export function RegistrationTab({ api }: { api: AdminApi }): JSX.Element {
  return (
    <>
      <ModeForm api={api} />
      <Invites api={api} />
    </>
  );
}
