// Audit: attestation search (serial, chip UID, work order, time), one entry with its decoded
// fields, the verification bundle to download, and verification in the browser (verify-panel.ts).
import { html } from '../../shell/html.js';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { components } from '#ingrain/api-client';
import type { ConsoleContext, ConsolePage } from '../../shell/page.js';
import { jsonFile, saveFile } from './save-file.js';
import { VerifyPanel } from './verify-panel.js';

type AttestationList = components['schemas']['AttestationList'];
type AttestationSummary = components['schemas']['AttestationSummary'];
type AttestationDetail = components['schemas']['AttestationDetail'];

const FILTERS = ['serial', 'chipUid', 'workOrderId', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];
const LABELS: Record<Filter, string> = {
  serial: 'Serial',
  chipUid: 'Chip UID (hex)',
  workOrderId: 'Work order id',
  from: 'From',
  to: 'To',
};
const errorText = (failure: unknown) => (failure instanceof Error ? failure.message : String(failure));

/** Search parameters for the API: times from datetime-local (local time) to RFC 3339. */
function searchQuery(values: Record<Filter, string>, offset: number): string {
  const query = new URLSearchParams({ limit: '50', offset: String(offset) });
  for (const filter of FILTERS) {
    const value = values[filter].trim();
    if (value === '') continue;
    query.set(filter, filter === 'from' || filter === 'to' ? new Date(value).toISOString() : value);
  }
  return query.toString();
}

function Entry({ context, leafIndex }: { readonly context: ConsoleContext; readonly leafIndex: number }): VNode {
  const [detail, setDetail] = useState<AttestationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    context.api
      .get<AttestationDetail>(`/v1/attestations/${leafIndex}`)
      .then(setDetail, (failure: unknown) => setError(errorText(failure)));
  }, [leafIndex]);
  if (error !== null) return html`<p class="error" role="alert">${error}</p>`;
  if (detail === null) return html`<p>Loading…</p>`;
  const a = detail.attestation;
  const download = async () => {
    const bytes = await context.api.getBytes(`/v1/attestations/${leafIndex}/bundle`);
    saveFile(`attestation-${leafIndex}-${detail.serial}.bundle.json`, bytes);
  };
  const rows: [string, string][] = [
    ['Leaf index', String(detail.leafIndex)],
    ['Device', a.deviceId],
    ['Product / serial', `${a.product} / ${a.serial}`],
    ['Layout', `${a.layout.name} v${a.layout.version} (digest ${a.layout.digestSha256.slice(0, 16)}…)`],
    ['Chip', `${a.chip.family}, product ID 0x${a.chip.productId.toString(16)}, UID ${a.chip.uidHex}`],
    ['OTP data', `${a.otp.dataHex.length / 2} bytes, SHA-256 ${a.otp.dataSha256.slice(0, 16)}…`],
    ['Lock bytes', a.otp.lockBytesHex === '' ? 'none' : a.otp.lockBytesHex],
    [
      'Secret fields',
      a.otp.secretFields.length === 0
        ? 'none'
        : a.otp.secretFields.map((f) => `${f.name} @${f.offsetBytes}+${f.lengthBytes} (commitment only)`).join(', '),
    ],
    ['Certificate SHA-256', a.deviceCertificateSha256],
    ['Station / job', `${a.stationId} / ${a.jobId}`],
    ['Work order', a.workOrderId ?? '—'],
    ['Provisioned', a.provisionedAt],
    ['Attested', a.attestedAt],
    ['Logged', detail.createdAt],
    ['Checkpoint', `${detail.checkpoint.origin}, tree size ${detail.checkpoint.treeSize}`],
  ];
  return html`
    <section class="attestation" data-test="attestation" data-leaf=${leafIndex}>
      <h2>Attestation ${leafIndex}: ${a.serial}</h2>
      <p class="note">Decoded by the API for reading; only "Verify in browser" checks it.</p>
      <dl data-test="decoded-fields">
        ${rows.map(
          ([name, value]) =>
            html`<dt>${name}</dt>
              <dd><code>${value}</code></dd>`,
        )}
      </dl>
      <button data-test="download-bundle" onClick=${() => void download()}>Download bundle</button>
      <button onClick=${() => saveFile(`attestation-${leafIndex}.envelope.json`, jsonFile(detail.envelope))}>
        Download envelope
      </button>
      <${VerifyPanel} api=${context.api} leafIndex=${leafIndex} />
    </section>
  `;
}

function Results(props: {
  readonly results: readonly AttestationSummary[];
  readonly open: (leafIndex: number) => void;
}): VNode {
  if (props.results.length === 0) return html`<p class="empty" data-test="no-attestations">No attestations match.</p>`;
  return html`
    <table>
      <thead>
        <tr>
          <th>Leaf</th>
          <th>Serial</th>
          <th>Chip UID</th>
          <th>Work order</th>
          <th>Station</th>
          <th>Logged</th>
        </tr>
      </thead>
      <tbody>
        ${props.results.map(
          (row) => html`
            <tr data-test="attestation-row" data-leaf=${row.leafIndex}>
              <td>
                <a
                  href=${`#/audit?leaf=${row.leafIndex}`}
                  onClick=${(event: Event) => {
                    event.preventDefault();
                    props.open(row.leafIndex);
                  }}
                  >${row.leafIndex}</a
                >
              </td>
              <td>${row.serial}</td>
              <td><code>${row.chipUid}</code></td>
              <td>${row.workOrderId?.slice(0, 8) ?? '—'}</td>
              <td>${row.stationId}</td>
              <td>${new Date(row.createdAt).toLocaleString()}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}

function AuditView({ context }: { readonly context: ConsoleContext }): VNode {
  const leaf = context.params.get('leaf');
  const [values, setValues] = useState<Record<Filter, string>>({
    serial: '',
    chipUid: '',
    workOrderId: '',
    from: '',
    to: '',
  });
  const [results, setResults] = useState<AttestationSummary[] | null>(null);
  const [nextOffset, setNextOffset] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async (offset: number) => {
    try {
      const page = await context.api.get<AttestationList>(`/v1/attestations?${searchQuery(values, offset)}`);
      setResults((previous) =>
        offset === 0 || previous === null ? page.attestations : [...previous, ...page.attestations],
      );
      setNextOffset(page.nextOffset);
      setError(null);
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  useEffect(() => {
    if (leaf === null) void search(0);
  }, [leaf]);

  if (leaf !== null && /^\d+$/.test(leaf)) {
    return html`<section>
      <a href="#/audit" data-test="back">← Attestations</a>
      <${Entry} context=${context} leafIndex=${Number(leaf)} />
    </section>`;
  }
  return html`
    <section class="audit">
      <form
        class="toolbar"
        data-test="attestation-search"
        onSubmit=${(event: Event) => {
          event.preventDefault();
          void search(0);
        }}
      >
        ${FILTERS.map(
          (filter) => html`
            <label
              >${LABELS[filter]}
              <input
                data-test=${`filter-${filter}`}
                type=${filter === 'from' || filter === 'to' ? 'datetime-local' : 'text'}
                value=${values[filter]}
                onInput=${(event: Event) => setValues({ ...values, [filter]: (event.target as HTMLInputElement).value })}
            /></label>
          `,
        )}
        <button type="submit">Search</button>
      </form>
      ${error !== null && html`<p class="error" role="alert">${error}</p>`}
      ${results !== null && html`<${Results} results=${results} open=${(leafIndex: number) => context.navigate(`#/audit?leaf=${leafIndex}`)} />`}
      ${nextOffset !== null && html`<button data-test="more" onClick=${() => void search(nextOffset)}>More</button>`}
    </section>
  `;
}

export const auditPage: ConsolePage = {
  id: 'audit',
  title: 'Audit',
  roles: ['auditor'],
  render: (context) => html`<${AuditView} context=${context} />`,
};
