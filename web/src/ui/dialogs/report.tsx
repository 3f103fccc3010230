// Report a message to the server's administrators (POST /messages/:id/report): a reason, then a
// thank-you. Admins see the report with its context in the panel's Reports queue.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { Message } from '../../api/types';
import { type Chat, displayName } from '../../state/chat';
import { Field, openDialog } from '../Dialog';
import { ActionButton } from './common';

/** Longest reason the server takes, in characters. */
const MAX_REASON = 500;

function ReportPanel({ chat, m, close }: { chat: Chat; m: Message; close: () => void }): JSX.Element {
  const [reason, setReason] = useState('');
  const [sent, setSent] = useState(false);
  if (sent) {
    return (
      <div class="report-done">
        <p role="status">Thank you. The server's administrators will review this message.</p>
        <div class="dialog-actions">
          <button type="button" class="button primary" onClick={close}>
            Done
          </button>
        </div>
      </div>
    );
  }
  const trimmed = reason.trim();
  return (
    <div class="report-form">
      <p class="muted">
        Report this message by {displayName(m.sender)} to the server's administrators. They see the message, the messages around
        it and your reason; {displayName(m.sender)} is not told who reported it.
      </p>
      <Field label="Reason">
        <textarea name="reason" rows={3} maxLength={MAX_REASON} dir="auto" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={close}>
          Cancel
        </button>
        <ActionButton
          className="button danger"
          label="Report"
          disabled={trimmed.length === 0}
          action={async () => {
            // Refusals (already reported, 4xx) are shown by the button in the API's words.
            await chat.http.call('post', '/messages/{id}/report', { path: { id: m.id }, body: { reason: trimmed } });
            setSent(true);
          }}
        />
      </div>
    </div>
  );
}

/** Opens the report dialog for another member's message. */
export function reportDialog(chat: Chat, m: Message): void {
  openDialog('Report message', (close) => <ReportPanel chat={chat} m={m} close={close} />, { className: 'report-dialog' });
}
