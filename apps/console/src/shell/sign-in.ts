import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { ConsoleApiError } from './api.js';
import { html } from './html.js';
import type { ConsoleSession } from './page.js';
import { signIn } from './session.js';

/** The sign-in form: paste an API token once; the API answers with an HttpOnly session cookie. */
export function SignIn(props: { onSignedIn: (session: ConsoleSession) => void }): VNode {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('token') as HTMLInputElement;
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(input.value);
      input.value = '';
      props.onSignedIn(session);
    } catch (failure) {
      setError(failure instanceof ConsoleApiError ? `${failure.code}: ${failure.detail}` : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="sign-in">
    <h1>Ingrain console</h1>
    <form onSubmit=${submit} autocomplete="off">
      <label for="token">API token</label>
      <input
        id="token"
        name="token"
        type="password"
        placeholder="ingr_…"
        required
        autocomplete="off"
        spellcheck="false"
      />
      <button type="submit" disabled=${busy}>Sign in</button>
      ${error === null ? null : html`<p class="error" role="alert">${error}</p>`}
    </form>
    <p class="hint">The token is sent once and not stored by this page: the API answers with a session cookie.</p>
  </main>`;
}
