// The quarantine bin's view of one chip: target and chip by layout field (GET
// /v1/devices/{id}/difference). Secret fields come as a status only; the API never sends their bytes.
import { html } from '../../shell/html.js';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { components } from '#ingrain/api-client';
import type { ConsoleApi } from '../../shell/api.js';

type Difference = components['schemas']['QuarantineDifference'];
type Field = Difference['fields'][number];

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

function shown(value: Field['targetValue'], hex: string | null, secret: boolean): string {
  if (secret) return 'secret (not shown)';
  if (hex === null) return '—';
  return value === null ? hex : `${String(value)} (${hex})`;
}

export function DifferenceView({ api, deviceId }: { readonly api: ConsoleApi; readonly deviceId: string }): VNode {
  const [difference, setDifference] = useState<Difference | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<Difference>(`/v1/devices/${deviceId}/difference`)
      .then(setDifference, (failure: unknown) =>
        setError(failure instanceof Error ? failure.message : String(failure)),
      );
  }, [deviceId]);
  if (error !== null) return html`<p class="error" role="alert">${error}</p>`;
  if (difference === null) return html`<p>Loading the difference…</p>`;
  return html`
    <section class="difference" data-test="difference">
      <h3>Chip against target, by layout field</h3>
      <p>
        Quarantined ${new Date(difference.quarantinedAt).toLocaleString()}: <strong>${difference.reason}</strong>.
        ${!difference.complete && html` The record is cut short (${difference.omittedDiffs} more byte(s) differ).`}
      </p>
      ${
        difference.identity.length > 0 &&
        html`<ul class="identity">
          ${difference.identity.map(
            (entry) =>
              html`<li data-test="identity-difference">
                ${entry.what}: expected <code>${entry.expected}</code>, chip has <code>${entry.actual}</code>
              </li>`,
          )}
        </ul>`
      }
      <table>
        <thead>
          <tr>
            <th>Field</th>
            <th>Offset</th>
            <th>Status</th>
            <th>Target</th>
            <th>Chip</th>
          </tr>
        </thead>
        <tbody>
          ${difference.fields.map(
            (field) => html`
              <tr
                data-test="field-difference"
                data-field=${field.name}
                data-status=${field.status}
                class=${field.status}
              >
                <td>${field.name}${field.secret && html` <em>(secret)</em>`}</td>
                <td>${field.otpOffsetBytes} +${field.sizeBytes}</td>
                <td>${field.status}${field.differingBytes > 0 && ` (${field.differingBytes} byte(s))`}</td>
                <td><code>${shown(field.targetValue, field.targetHex, field.secret)}</code></td>
                <td><code>${shown(field.chipValue, field.chipHex, field.secret)}</code></td>
              </tr>
            `,
          )}
        </tbody>
      </table>
      ${
        difference.outsideFields.length > 0 &&
        html`<p data-test="outside-fields">
          Outside every field:
          ${difference.outsideFields.map((b) => `byte ${b.offsetBytes}: ${hex2(b.target)} → ${hex2(b.chip)}`).join(', ')}
        </p>`
      }
      ${
        difference.lockBytes.length > 0 &&
        html`<p data-test="lock-differences">
          Lock bytes:
          ${difference.lockBytes.map((l) => `block ${l.block}: ${hex2(l.target)} → ${hex2(l.chip)}`).join(', ')}
        </p>`
      }
    </section>
  `;
}
