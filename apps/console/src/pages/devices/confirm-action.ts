// An in-page confirmation for an action that cannot be undone (close a work order, release or
// scrap a device): the action runs only from its Confirm button; Cancel closes it. Optionally asks
// for a reason (the API records it in the device history).
import { html } from '../../shell/html.js';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';

export interface ConfirmProps {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  /** Ask for a reason (required, 3-500 characters) and pass it to onConfirm. */
  readonly askReason?: boolean;
  readonly onConfirm: (reason: string) => Promise<void>;
  readonly onCancel: () => void;
}

export function ConfirmAction(props: ConfirmProps): VNode {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonOk = props.askReason !== true || reason.trim().length >= 3;
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm(reason.trim());
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };
  return html`
    <dialog open class="confirm" aria-label=${props.title} data-test="confirm">
      <h3>${props.title}</h3>
      <p>${props.message}</p>
      ${
        props.askReason === true &&
        html`<label
          >Reason
          <input
            data-test="confirm-reason"
            value=${reason}
            maxlength="500"
            onInput=${(event: Event) => setReason((event.target as HTMLInputElement).value)}
        /></label>`
      }
      ${error !== null && html`<p class="error" role="alert">${error}</p>`}
      <div class="actions">
        <button data-test="confirm-yes" class="danger" disabled=${busy || !reasonOk} onClick=${confirm}>
          ${props.confirmLabel}
        </button>
        <button data-test="confirm-no" disabled=${busy} onClick=${props.onCancel}>Cancel</button>
      </div>
    </dialog>
  `;
}
