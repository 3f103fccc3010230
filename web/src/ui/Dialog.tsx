// Modal dialogs on the native <dialog> element (focus trap and Escape for free), opened from
// anywhere with openDialog() and rendered by <DialogHost/> inside the app's providers.
import { signal } from '@preact/signals';
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { describeError } from '../api/http';
import { Icon } from './icons';

interface OpenDialog {
  id: number;
  title: string;
  className: string;
  render: (close: () => void) => ComponentChildren;
  onClose?: () => void;
}

const open = signal<OpenDialog[]>([]);
let nextId = 1;

/** Opens a modal titled `title`; `render(close)` returns its content. @returns close */
export function openDialog(title: string, render: (close: () => void) => ComponentChildren, options: { className?: string; onClose?: () => void } = {}): () => void {
  const id = nextId++;
  open.value = [...open.value, { id, title, render, className: options.className ?? '', onClose: options.onClose }];
  return () => closeDialog(id);
}

function closeDialog(id: number): void {
  const d = open.value.find((x) => x.id === id);
  if (!d) return;
  open.value = open.value.filter((x) => x.id !== id);
  d.onClose?.();
}

/** Asks a yes/no question. @returns true when confirmed */
export function confirmDialog(question: string, confirmLabel = 'OK', danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    openDialog(
      'Please confirm',
      (close) => (
        <>
          <p>{question}</p>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              class={`button ${danger ? 'danger' : 'primary'}`}
              autofocus
              onClick={() => {
                answer = true;
                close();
              }}
            >
              {confirmLabel}
            </button>
          </div>
        </>
      ),
      { onClose: () => resolve(answer) },
    );
  });
}

function Modal({ d }: { d: OpenDialog }): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = () => closeDialog(d.id);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (!el.open) el.showModal();
    const first = el.querySelector<HTMLElement>('[autofocus], .dialog-body input, .dialog-body textarea, .dialog-body select, .dialog-body button');
    first?.focus();
  }, []);
  return (
    <dialog
      ref={ref}
      class={`dialog ${d.className}`}
      aria-labelledby={titleId}
      onClose={close}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
      onClick={(e) => e.target === ref.current && close()}
    >
      <header class="dialog-header">
        <h2 id={titleId}>{d.title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={close}>
          <Icon name="close" />
        </button>
      </header>
      <div class="dialog-body">{d.render(close)}</div>
    </dialog>
  );
}

/** Renders every open dialog. */
export function DialogHost(): JSX.Element {
  return (
    <>
      {open.value.map((d) => (
        <Modal key={d.id} d={d} />
      ))}
    </>
  );
}

/** Closes every dialog (the session ended). */
export function closeAllDialogs(): void {
  for (const d of open.value) closeDialog(d.id);
}

/** A form error line (role=alert), hidden when there is nothing to say. */
export function ErrorLine({ error }: { error: unknown }): JSX.Element {
  const text = error ? (typeof error === 'string' ? error : describeError(error)) : '';
  return (
    <p class="form-error" role="alert" hidden={!text}>
      {text}
    </p>
  );
}

/** A labelled form field. */
export function Field({ label, children }: { label: string; children: ComponentChildren }): JSX.Element {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
    </label>
  );
}
