// Work orders: the list (GET /v1/work-orders), progress against the quota, close with a
// confirmation (mes), and the signed close report to download.
import { html } from '../../shell/html.js';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { components } from '#ingrain/api-client';
import type { ConsoleContext, ConsolePage } from '../../shell/page.js';
import { jsonFile, saveFile } from '../audit/save-file.js';
import { ConfirmAction } from '../devices/confirm-action.js';

type WorkOrder = components['schemas']['WorkOrder'];
type WorkOrderList = components['schemas']['WorkOrderList'];
type ClosedWorkOrder = components['schemas']['ClosedWorkOrder'];

const PAGE_SIZE = 50;

// Inline style objects: Preact sets them through the CSSOM, which the console's CSP allows.
const BAR = {
  display: 'flex',
  width: '16rem',
  height: '0.5rem',
  background: '#e5e7eb',
  borderRadius: '4px',
  overflow: 'hidden',
  marginBottom: '0.25rem',
};
const PROVISIONED = { display: 'block', height: '100%', background: '#15803d' };
const FAILED = { display: 'block', height: '100%', background: '#b91c1c' };

function Progress({ order }: { readonly order: WorkOrder }): VNode {
  const { counts, quantity } = order;
  const percent = (n: number) => `${Math.min(100, (100 * n) / quantity).toFixed(1)}%`;
  const figures = [
    `${counts.provisioned} / ${quantity} provisioned`,
    `${counts.issued} issued`,
    `${counts.queued} queued`,
    `${counts.claimed} claimed`,
    `${counts.quarantined} quarantined`,
    `${counts.scrapped} scrapped`,
  ].join(' · ');
  return html`
    <div class="progress" data-test="progress" title=${`${counts.provisioned} of ${quantity} provisioned`}>
      <div
        class="bar"
        style=${BAR}
        role="progressbar"
        aria-valuemin="0"
        aria-valuemax=${quantity}
        aria-valuenow=${counts.provisioned}
      >
        <span class="provisioned" style=${{ ...PROVISIONED, width: percent(counts.provisioned) }}></span>
        <span class="failed" style=${{ ...FAILED, width: percent(counts.failed) }}></span>
      </div>
      <span class="figures">${figures}</span>
    </div>
  `;
}

function reportName(order: WorkOrder): string {
  return `work-order-${order.id}-report.json`;
}

function Row(props: {
  readonly order: WorkOrder;
  readonly canClose: boolean;
  readonly onClose: (order: WorkOrder) => void;
}): VNode {
  const { order } = props;
  const envelope = order.reportEnvelope;
  return html`
    <tr data-test="work-order" data-id=${order.id} data-status=${order.status}>
      <td><code title=${order.id}>${order.id.slice(0, 8)}</code></td>
      <td>${order.productId} v${order.layoutVersion}</td>
      <td><span class=${`status ${order.status}`}>${order.status}</span></td>
      <td><${Progress} order=${order} /></td>
      <td>${new Date(order.createdAt).toLocaleString()}</td>
      <td class="actions">
        ${
          order.status === 'open' &&
          props.canClose &&
          html`<button data-test="close" onClick=${() => props.onClose(order)}>Close…</button>`
        }
        ${
          envelope !== null &&
          html`<button data-test="download-report" onClick=${() => saveFile(reportName(order), jsonFile(envelope))}>
            Download signed report
          </button>`
        }
      </td>
    </tr>
  `;
}

function WorkOrdersView({ context }: { readonly context: ConsoleContext }): VNode {
  const [orders, setOrders] = useState<WorkOrder[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'' | 'open' | 'closed'>('');
  const [error, setError] = useState<string | null>(null);
  const [closing, setClosing] = useState<WorkOrder | null>(null);
  const [closed, setClosed] = useState<ClosedWorkOrder | null>(null);
  const canClose = context.session.role === 'mes';

  const load = async (cursor: string | null) => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (status !== '') query.set('status', status);
    if (cursor !== null) query.set('cursor', cursor);
    try {
      const page = await context.api.get<WorkOrderList>(`/v1/work-orders?${query.toString()}`);
      setOrders((previous) => (cursor === null ? page.workOrders : [...previous, ...page.workOrders]));
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  useEffect(() => {
    void load(null);
  }, [status]);

  const close = async (order: WorkOrder) => {
    const result = await context.api.post<ClosedWorkOrder>(`/v1/work-orders/${order.id}/close`);
    setClosing(null);
    setClosed(result);
    setOrders((previous) => previous.map((item) => (item.id === order.id ? result.workOrder : item)));
  };

  return html`
    <section class="work-orders">
      <div class="toolbar">
        <label
          >Status
          <select
            data-test="status-filter"
            value=${status}
            onChange=${(event: Event) => setStatus((event.target as HTMLSelectElement).value as '' | 'open' | 'closed')}
          >
            <option value="">all</option>
            <option value="open">open</option>
            <option value="closed">closed</option>
          </select></label
        >
        <button onClick=${() => void load(null)}>Refresh</button>
      </div>
      ${error !== null && html`<p class="error" role="alert">${error}</p>`}
      ${
        closing !== null &&
        html`<${ConfirmAction}
          title="Close work order"
          message=${`Close work order ${closing.id.slice(0, 8)} (${closing.productId}, ${closing.counts.provisioned} of ${closing.quantity} provisioned)? It issues no more devices, and its report is signed now.`}
          confirmLabel="Close work order"
          onConfirm=${() => close(closing)}
          onCancel=${() => setClosing(null)}
        />`
      }
      ${
        closed !== null &&
        html`<div class="notice" data-test="closed-notice">
          Work order ${closed.workOrder.id.slice(0, 8)} closed; report signed.
          <button
            data-test="download-closed-report"
            onClick=${() => saveFile(reportName(closed.workOrder), jsonFile(closed.envelope))}
          >
            Download signed report
          </button>
        </div>`
      }
      <table>
        <thead>
          <tr>
            <th>Work order</th>
            <th>Product</th>
            <th>Status</th>
            <th>Progress against quota</th>
            <th>Created</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${orders.map((order) => html`<${Row} key=${order.id} order=${order} canClose=${canClose} onClose=${setClosing} />`)}
        </tbody>
      </table>
      ${orders.length === 0 && error === null && html`<p class="empty">No work orders.</p>`}
      ${nextCursor !== null && html`<button data-test="more" onClick=${() => void load(nextCursor)}>More</button>`}
    </section>
  `;
}

export const workOrdersPage: ConsolePage = {
  id: 'work-orders',
  title: 'Work orders',
  roles: ['mes', 'admin', 'auditor'],
  render: (context) => html`<${WorkOrdersView} context=${context} />`,
};
