// Admin → Reports: the queue of reported messages, each with its reason, reporter and the messages
// around it, resolved by dismissing it, deleting the message or disabling the sender (the last two
// ask first). Resolved reports are listed with what was done.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Message } from '../../api/types';
import { type AdminApi, type Report, type ReportAction, type ReportStatus } from '../../state/admin';
import { type Chat, displayName, roomTitle } from '../../state/chat';
import { describeSystemLine } from '../../system-line';
import { confirmDialog } from '../Dialog';
import { ActionButton } from '../dialogs/common';
import { formatTime } from '../format';
import { formatDateTime, PagerFooter, usePager } from './common';

const RESOLUTIONS: Record<ReportAction, string> = {
  dismiss: 'Dismissed',
  delete_message: 'Message deleted',
  disable_sender: 'Sender disabled',
};

/** A message's text as the queue shows it (plain, never rendered as markup; system lines in words). */
function messageText(chat: Chat, m: Message): string {
  if (m.deleted_at) return 'Message deleted';
  if (m.system) return describeSystemLine(m.system, m.sender.id, displayName(m.sender), chat.me?.id, (id) => chat.userName(m.room_id, id));
  if (m.content) return m.content;
  if (m.attachments.length) return m.attachments.map((a) => `[${a.name}]`).join(' ');
  return '';
}

function ContextLine({ chat, m, reported }: { chat: Chat; m: Message; reported: boolean }): JSX.Element {
  // People named by a system line may be in no list this page has loaded.
  useEffect(() => {
    if (m.system) chat.lookUpSystemLineNames(m);
  }, [m.id]);
  return (
    <li class={`report-msg${reported ? ' reported' : ''}${m.deleted_at ? ' deleted' : ''}`} aria-current={reported ? 'true' : undefined}>
      <span class="msg-head">
        <span class="msg-author" dir="auto">
          {displayName(m.sender)}
        </span>
        <span>@{m.sender.username}</span>
        <time dateTime={m.created_at}>{formatTime(m.created_at)}</time>
        {reported ? <span class="tag tag-danger">Reported</span> : null}
      </span>
      <span class="msg-body" dir="auto">
        {messageText(chat, m)}
      </span>
    </li>
  );
}

function ReportCard({ chat, api, report, onResolved }: { chat: Chat; api: AdminApi; report: Report; onResolved: (r: Report) => void }): JSX.Element {
  const m = report.message;
  const before = report.context.filter((c) => c.seq < m.seq);
  const after = report.context.filter((c) => c.seq > m.seq);
  const room = chat.room(m.room_id);
  const sender = displayName(m.sender);
  const resolve = async (action: ReportAction, question?: string, confirmLabel?: string) => {
    if (question && !(await confirmDialog(question, confirmLabel, true))) return;
    onResolved(await api.resolveReport(report.id, action));
  };
  return (
    <li class="admin-row report" data-report-id={report.id} data-status={report.status}>
      <div class="report-main">
        <p class="report-head">
          <strong dir="auto">{displayName(report.reporter)}</strong> <span class="muted">@{report.reporter.username} reported a message by</span> <strong dir="auto">{sender}</strong>{' '}
          <span class="muted">
            {room ? `in ${roomTitle(room)}` : 'in a room you are not in'} · {formatDateTime(report.created_at)}
          </span>
        </p>
        <blockquote class="report-reason" dir="auto">
          {report.reason}
        </blockquote>
        <ol class="report-context" aria-label="The message and what was said around it">
          {before.map((c) => (
            <ContextLine key={c.id} chat={chat} m={c} reported={false} />
          ))}
          <ContextLine chat={chat} m={m} reported />
          {after.map((c) => (
            <ContextLine key={c.id} chat={chat} m={c} reported={false} />
          ))}
        </ol>
        {room ? (
          <a class="link" href={`#/room/${room.id}`}>
            Open {roomTitle(room)}
          </a>
        ) : null}
        {report.status === 'resolved' && report.resolution ? (
          <p class="muted">
            {RESOLUTIONS[report.resolution]} · {formatDateTime(report.resolved_at)}
          </p>
        ) : null}
      </div>
      {report.status === 'open' ? (
        <span class="admin-actions">
          <ActionButton className="button" label="Dismiss" ariaLabel={`Dismiss the report by ${displayName(report.reporter)}`} action={() => resolve('dismiss')} />
          {m.deleted_at ? null : (
            <ActionButton
              className="button danger"
              label="Delete message"
              ariaLabel={`Delete the reported message by ${sender}`}
              action={() => resolve('delete_message', `Delete this message by ${sender} for everyone in the room? The other open reports of it are resolved too.`, 'Delete message')}
            />
          )}
          {m.sender.deactivated ? null : (
            <ActionButton
              className="button danger"
              label="Disable sender"
              ariaLabel={`Disable ${sender}, who sent the reported message`}
              action={() => resolve('disable_sender', `Disable the account of ${sender} (@${m.sender.username})? They are logged out everywhere at once and cannot log in until an administrator enables the account.`, 'Disable account')}
            />
          )}
        </span>
      ) : null}
    </li>
  );
}

/** The Reports view. */
export function ReportsTab({ chat, api }: { chat: Chat; api: AdminApi }): JSX.Element {
  const [status, setStatus] = useState<ReportStatus>('open');
  const [note, setNote] = useState('');
  const pager = usePager<Report>((cursor) => api.reports(status, cursor), [api, status]);
  const items = pager.items.value;
  const resolved = (r: Report) => {
    setNote(`Report resolved: ${RESOLUTIONS[r.resolution ?? 'dismiss'].toLowerCase()}.`);
    // Deleting the message or disabling its sender resolves the message's other reports as well.
    if (r.resolution === 'dismiss') pager.remove((x) => x.id === r.id);
    else void pager.reload();
  };
  return (
    <>
      <div class="admin-toolbar">
        <fieldset class="segmented">
          <legend class="visually-hidden">Which reports</legend>
          {(['open', 'resolved'] as const).map((s) => (
            <label key={s} class="radio">
              <input type="radio" name="report-status" value={s} checked={status === s} onChange={() => setStatus(s)} />
              {s === 'open' ? 'Open' : 'Resolved'}
            </label>
          ))}
        </fieldset>
        <button type="button" class="button" onClick={() => void pager.reload()} disabled={pager.loading.value}>
          Refresh
        </button>
      </div>
      <p class="form-ok" role="status">
        {note}
      </p>
      <ul class="admin-list" aria-label={status === 'open' ? 'Open reports' : 'Resolved reports'} aria-busy={pager.loading.value ? 'true' : 'false'}>
        {items.map((r) => (
          <ReportCard key={r.id} chat={chat} api={api} report={r} onResolved={resolved} />
        ))}
        {pager.loaded.value && !items.length ? <li class="muted empty">{status === 'open' ? 'No open reports. Nothing needs a look.' : 'No resolved reports yet.'}</li> : null}
      </ul>
      <PagerFooter pager={pager} label="reports" />
    </>
  );
}
