// "Verify in browser": the bundle and the published keys from the API, checked here by
// libs/verify-web (WebCrypto), one line per check. The API's own verdict is never asked for.
import { html } from '../../shell/html.js';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { type BundleVerification, type PublishedKeys, verifyBundleInBrowser } from '#ingrain/verify-web';
import type { ConsoleApi } from '../../shell/api.js';

export function VerifyPanel({ api, leafIndex }: { readonly api: ConsoleApi; readonly leafIndex: number }): VNode {
  const [result, setResult] = useState<BundleVerification | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const verify = async () => {
    setRunning(true);
    setResult(null);
    setError(null);
    try {
      // As bytes: the verifier sees exactly what the API sent, not a re-serialized object.
      const [bundle, keys] = await Promise.all([
        api.getBytes(`/v1/attestations/${leafIndex}/bundle`),
        api.get<PublishedKeys>('/v1/keys'),
      ]);
      setResult(await verifyBundleInBrowser(new TextDecoder().decode(bundle), keys));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setRunning(false);
    }
  };
  return html`
    <section class="verify" data-test="verify-panel">
      <button data-test="verify" disabled=${running} onClick=${verify}>
        ${running ? 'Verifying…' : 'Verify in browser'}
      </button>
      ${error !== null && html`<p class="error" role="alert">${error}</p>`}
      ${
        result !== null &&
        html`
          <p class=${result.ok ? 'verdict ok' : 'verdict failed'} data-test="verdict" data-ok=${String(result.ok)}>
            ${
              result.ok
                ? 'VERIFIED in this browser'
                : `NOT VERIFIED: ${result.checks.filter((c) => !c.ok).length} check(s) did not pass`
            }
          </p>
          <ul class="checks">
            ${result.checks.map(
              (check) => html`
                <li data-test="check" data-check=${check.name} data-status=${check.status} class=${check.status}>
                  ${check.ok ? '✓' : '✗'} <strong>${check.name}</strong>: ${check.message}
                  ${check.code !== undefined && html` <code>[${check.code}]</code>`}
                </li>
              `,
            )}
          </ul>
        `
      }
    </section>
  `;
}
