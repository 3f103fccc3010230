import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorLine } from '../Dialog';

/**
 * Search as you type over `search(q)` (debounced 250 ms; answers that arrive late are dropped);
 * `row(item)` renders one result.
 */
export function SearchList<T>({ placeholder, label, search, row, emptyText, initial = '' }: { placeholder: string; label: string; search: (q: string) => Promise<T[]>; row: (item: T) => ComponentChildren; emptyText: string; initial?: string }): JSX.Element {
  const [q, setQ] = useState(initial);
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    const t = setTimeout(
      () =>
        search(q.trim()).then(
          (found) => {
            if (mine !== seq.current) return;
            setError(null);
            setItems(found);
          },
          (err) => mine === seq.current && setError(err),
        ),
      q ? 250 : 0,
    );
    return () => clearTimeout(t);
  }, [q]);
  return (
    <>
      <input
        type="search"
        placeholder={placeholder}
        aria-label={label}
        autocomplete="off"
        value={q}
        onInput={(e) => {
          // Old results go at once, so nothing stale can be clicked while the new answer is on its way.
          setItems(null);
          setQ(e.currentTarget.value);
        }}
      />
      <ErrorLine error={error} />
      <ul class="result-list" aria-live="polite">
        {items === null ? null : items.length ? items.map((item, i) => <li key={i}>{row(item)}</li>) : <li class="muted">{emptyText}</li>}
      </ul>
    </>
  );
}

/** A button that runs `action`, disabled while it runs, showing its error beside it. */
export function ActionButton({ label, ariaLabel, className = 'button primary', action, disabled }: { label: string; ariaLabel?: string; className?: string; action: () => Promise<unknown>; disabled?: boolean }): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <span class="action">
      <button
        type="button"
        class={className}
        aria-label={ariaLabel}
        disabled={busy || disabled}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await action();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}
      </button>
      <ErrorLine error={error} />
    </span>
  );
}
