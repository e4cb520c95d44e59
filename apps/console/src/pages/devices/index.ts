// Devices: search (serial, id, work order, state), a device's history as a timeline, the
// quarantine bin with the chip's difference from its target by layout field, and the admin's
// release and scrap, each behind a confirmation.
import { html } from '../../shell/html.js';
import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '#ingrain/api-client';
import type { ConsoleContext, ConsolePage } from '../../shell/page.js';
import { ConfirmAction } from './confirm-action.js';
import { DifferenceView } from './difference.js';
import { Timeline } from './timeline.js';

type Device = components['schemas']['Device'];
type DeviceSummary = components['schemas']['DeviceSummary'];
type DeviceList = components['schemas']['DeviceList'];
type Action = 'release' | 'scrap';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const errorText = (failure: unknown) => (failure instanceof Error ? failure.message : String(failure));

/** Which admin actions the device's state allows (docs/api.md, "Device state machine"). */
function actionsFor(state: Device['state']): Action[] {
  if (state === 'claimed') return ['release', 'scrap'];
  if (state === 'queued') return ['scrap'];
  return [];
}

const ACTION_TEXT: Record<Action, { label: string; message: string }> = {
  release: {
    label: 'Release',
    message: 'Give this identity back to the queue: only when its chip was lost before any byte was written.',
  },
  scrap: { label: 'Scrap', message: 'Retire this identity for good: it is never issued to a chip again.' },
};

function DeviceDetail({ context, id }: { readonly context: ConsoleContext; readonly id: string }): VNode {
  const [device, setDevice] = useState<Device | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<Action | null>(null);
  const role = context.session.role;
  useEffect(() => {
    context.api.get<Device>(`/v1/devices/${id}`).then(setDevice, (failure: unknown) => setError(errorText(failure)));
  }, [id]);
  if (error !== null) return html`<p class="error" role="alert">${error}</p>`;
  if (device === null) return html`<p>Loading…</p>`;
  const act = async (action: Action, reason: string) => {
    setDevice(await context.api.post<Device>(`/v1/devices/${device.id}/${action}`, { reason }));
    setPending(null);
  };
  return html`
    <section class="device" data-test="device" data-state=${device.state}>
      <h2>
        Device ${device.serial} <span class=${`state ${device.state}`} data-test="device-state">${device.state}</span>
      </h2>
      <dl>
        <dt>Id</dt>
        <dd><code>${device.id}</code></dd>
        <dt>Product</dt>
        <dd>${device.productId} (layout v${device.layoutVersion})</dd>
        <dt>Work order</dt>
        <dd>${device.workOrderId ?? '—'}</dd>
        <dt>Chip UID</dt>
        <dd><code>${device.chipUid ?? '—'}</code></dd>
        <dt>Station</dt>
        <dd>${device.stationId ?? '—'}</dd>
        <dt>Attestation</dt>
        <dd>
          ${
            device.attestationLeafIndex === null
              ? '—'
              : role === 'auditor'
                ? html`<a href=${`#/audit?leaf=${device.attestationLeafIndex}`}>leaf ${device.attestationLeafIndex}</a>`
                : `leaf ${device.attestationLeafIndex}`
          }
        </dd>
      </dl>
      ${
        role === 'admin' &&
        actionsFor(device.state).length > 0 &&
        html`<div class="admin-actions" data-test="admin-actions">
          ${actionsFor(device.state).map(
            (action) =>
              html`<button data-test=${`action-${action}`} class="danger" onClick=${() => setPending(action)}>
                ${ACTION_TEXT[action].label}…
              </button>`,
          )}
        </div>`
      }
      ${
        pending !== null &&
        html`<${ConfirmAction}
          title=${`${ACTION_TEXT[pending].label} device ${device.serial}`}
          message=${ACTION_TEXT[pending].message}
          confirmLabel=${ACTION_TEXT[pending].label}
          askReason=${true}
          onConfirm=${(reason: string) => act(pending, reason)}
          onCancel=${() => setPending(null)}
        />`
      }
      ${
        device.state === 'quarantined' &&
        (role === 'admin' || role === 'auditor') &&
        html`<${DifferenceView} api=${context.api} deviceId=${device.id} />`
      }
      <h3>History</h3>
      <${Timeline} history=${device.history} />
    </section>
  `;
}

function DeviceRows({
  devices,
  open,
}: {
  readonly devices: readonly DeviceSummary[];
  readonly open: (id: string) => void;
}): VNode {
  if (devices.length === 0) return html`<p class="empty" data-test="no-devices">No devices match.</p>`;
  return html`
    <table>
      <thead>
        <tr>
          <th>Serial</th>
          <th>State</th>
          <th>Product</th>
          <th>Work order</th>
          <th>Chip UID</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        ${devices.map(
          (device) => html`
            <tr data-test="device-row" data-id=${device.id} data-state=${device.state}>
              <td>
                <a
                  href=${`#/devices?id=${device.id}`}
                  onClick=${(event: Event) => {
                    event.preventDefault();
                    open(device.id);
                  }}
                  >${device.serial}</a
                >
              </td>
              <td><span class=${`state ${device.state}`}>${device.state}</span></td>
              <td>${device.productId}</td>
              <td>${device.workOrderId?.slice(0, 8) ?? '—'}</td>
              <td><code>${device.chipUid ?? '—'}</code></td>
              <td>${new Date(device.updatedAt).toLocaleString()}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}

function DevicesView({ context }: { readonly context: ConsoleContext }): VNode {
  const params = context.params;
  const [query, setQuery] = useState(params.get('q') ?? '');
  const [state, setState] = useState(params.get('state') ?? '');
  const [devices, setDevices] = useState<DeviceSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = params.get('id');
  // Only the latest search's answer is shown (an earlier, slower one must not overwrite it).
  const latest = useRef(0);

  const search = async (text: string, stateFilter: string) => {
    const ticket = ++latest.current;
    const filters = new URLSearchParams({ limit: '100' });
    const value = text.trim();
    if (UUID.test(value)) {
      // A device id opens it; a work order id lists its devices.
      try {
        await context.api.get<Device>(`/v1/devices/${value}`);
        context.navigate(`#/devices?id=${value}`);
        return;
      } catch {
        filters.set('workOrderId', value);
      }
    } else if (value !== '') filters.set('serial', value);
    if (stateFilter !== '') filters.set('state', stateFilter);
    try {
      const list = await context.api.get<DeviceList>(`/v1/devices?${filters.toString()}`);
      if (ticket !== latest.current) return;
      setDevices(list.devices);
      setError(null);
    } catch (failure) {
      if (ticket === latest.current) setError(errorText(failure));
    }
  };
  useEffect(() => {
    if (id === null) void search(query, state);
  }, [id, state]);

  if (id !== null) {
    return html`<section>
      <a href="#/devices" data-test="back">← Devices</a>
      <${DeviceDetail} context=${context} id=${id} />
    </section>`;
  }
  return html`
    <section class="devices">
      <form
        class="toolbar"
        data-test="device-search"
        onSubmit=${(event: Event) => {
          event.preventDefault();
          void search(query, state);
        }}
      >
        <input
          data-test="device-query"
          placeholder="serial, device id or work order id"
          value=${query}
          onInput=${(event: Event) => setQuery((event.target as HTMLInputElement).value)}
        />
        <select
          data-test="state-filter"
          value=${state}
          onChange=${(event: Event) => setState((event.target as HTMLSelectElement).value)}
        >
          <option value="">any state</option>
          ${['queued', 'claimed', 'provisioned', 'quarantined', 'scrapped'].map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
        <button type="submit">Search</button>
        <button type="button" data-test="quarantine-bin" onClick=${() => setState('quarantined')}>
          Quarantine bin
        </button>
      </form>
      ${error !== null && html`<p class="error" role="alert">${error}</p>`}
      ${devices !== null && html`<${DeviceRows} devices=${devices} open=${(deviceId: string) => context.navigate(`#/devices?id=${deviceId}`)} />`}
    </section>
  `;
}

export const devicesPage: ConsolePage = {
  id: 'devices',
  title: 'Devices',
  roles: ['admin', 'mes', 'auditor'],
  render: (context) => html`<${DevicesView} context=${context} />`,
};
