/**
 * A confirmation for an action that changes the fleet: a modal `<dialog>` (the browser traps focus in it,
 * Escape cancels, focus returns to the button that opened it), Cancel focused first, the API's refusal
 * shown in the dialog.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  /** The button's text. */
  label: string;
  /** The dialog's title and the confirming button's text. */
  title: string;
  confirmLabel: string;
  children: ComponentChildren;
  danger?: boolean;
  disabled?: boolean;
  /** Why the button is disabled (its tooltip). */
  disabledReason?: string;
  /** Performs the action; a thrown error is shown in the dialog, which stays open. */
  onConfirm: () => Promise<void>;
}

/** A button that asks for confirmation, then performs the action. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      setOpen(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        class={props.danger ? 'button danger' : 'button'}
        disabled={props.disabled}
        title={props.disabled ? props.disabledReason : undefined}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        {props.label}
      </button>
      <dialog
        ref={dialog}
        class="confirm"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        onClose={() => setOpen(false)}
      >
        <h2 id={titleId}>{props.title}</h2>
        <div id={bodyId}>{props.children}</div>
        {error && (
          <p class="note tone-bad" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          {/* Focus goes to the safe choice when the dialog opens. */}
          <button type="button" class="button" autofocus onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            class={props.danger ? 'button danger' : 'button primary'}
            onClick={confirm}
            disabled={busy}
          >
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
