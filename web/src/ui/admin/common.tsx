// Pieces every admin view uses: the "Load more" footer of a cursor-paginated list, a read-only field
// with a copy button (invite codes, reset links), and the admin date format.
import type { JSX } from 'preact';
import { useId, useState } from 'preact/hooks';
import type { Pager } from '../../state/admin';
import { ErrorLine } from '../Dialog';

/** The list's error line, and "Load more" while the API has a next cursor. */
export function PagerFooter<T>({ pager, label }: { pager: Pager<T>; label: string }): JSX.Element {
  const loading = pager.loading.value;
  return (
    <div class="admin-footer">
      <ErrorLine error={pager.error.value} />
      {pager.nextCursor.value ? (
        <button type="button" class="button" disabled={loading} onClick={() => void pager.more()}>
          {loading ? 'Loading…' : `Load more ${label}`}
        </button>
      ) : null}
      {loading && !pager.loaded.value ? <p class="muted">Loading…</p> : null}
    </div>
  );
}

/** A labelled read-only value with a Copy button (falls back to selecting the text to copy by hand). */
export function CopyField({ label, value }: { label: string; value: string }): JSX.Element {
  const id = useId();
  const [copied, setCopied] = useState<string>('');
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {label}
      </label>
      <div class="copy-row">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          class="button"
          aria-label={`Copy ${label.toLowerCase()}`}
          onClick={async (e) => {
            const input = (e.currentTarget.parentElement?.querySelector('input') ?? null) as HTMLInputElement | null;
            try {
              await navigator.clipboard.writeText(value);
              setCopied('Copied.');
            } catch {
              // No clipboard access (an http page on the LAN is no secure context): select it instead.
              input?.select();
              setCopied('Press Ctrl+C (⌘C) to copy.');
            }
          }}
        >
          Copy
        </button>
      </div>
      <p class="form-ok" role="status">
        {copied}
      </p>
    </div>
  );
}

/** Date and time for admin tables ("30 Nov 2026, 16:05"), or "—" for none. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString([], { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}
