import type { VNode } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ConsoleApiError, type ConsoleApi } from '../../shell/api.js';
import { html } from '../../shell/html.js';
import type { ConsoleContext, ConsolePage } from '../../shell/page.js';

/** A job as `GET /v1/queue/jobs` lists it (openapi/openapi.json, QueueJob). */
interface QueueJob {
  readonly id: string;
  readonly line: string;
  readonly state: string;
  readonly deviceState: string | null;
  readonly serial: string | null;
  readonly attemptsMade: number;
  readonly reasonCode: string | null;
  readonly failedReason: string | null;
  readonly finishedAt: string | null;
  readonly processedAt: string | null;
  readonly createdAt: string;
  readonly retryable: boolean;
  readonly retry: string;
}

type Filter = 'failed' | 'stuck';

function describeError(error: unknown): string {
  return error instanceof ConsoleApiError ? `${error.code}: ${error.detail}` : String(error);
}

/** The confirmation before a retry: what it means for this job, then Retry or Cancel. */
function ConfirmRetry(props: { job: QueueJob; onConfirm: () => void; onCancel: () => void }): VNode {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return html`<dialog ref=${dialog} class="confirm-retry" onCancel=${props.onCancel}>
    <h3>Retry the job of ${props.job.serial ?? props.job.id}?</h3>
    <p>${props.job.retry}</p>
    <div class="actions">
      <button type="button" onClick=${props.onCancel}>Cancel</button>
      <button type="button" class="primary" data-action="confirm-retry" onClick=${props.onConfirm}>Retry</button>
    </div>
  </dialog>`;
}

function QueueView(props: { api: ConsoleApi }): VNode {
  const [filter, setFilter] = useState<Filter>('failed');
  const [jobs, setJobs] = useState<readonly QueueJob[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<QueueJob | null>(null);
  const load = useCallback(async () => {
    try {
      setJobs((await props.api.get<{ jobs: QueueJob[] }>(`/v1/queue/jobs?state=${filter}`)).jobs);
    } catch (error) {
      setMessage(describeError(error));
    }
  }, [props.api, filter]);
  useEffect(() => {
    setJobs(null);
    void load();
  }, [load]);
  const retry = async (job: QueueJob): Promise<void> => {
    setConfirming(null);
    try {
      await props.api.post(`/v1/queue/jobs/${encodeURIComponent(job.id)}/retry`);
      setMessage(`Job of ${job.serial ?? job.id} queued again.`);
    } catch (error) {
      setMessage(describeError(error));
    }
    await load();
  };
  return html`<h2>Queue</h2>
    <div class="toolbar">
      <label>
        Show
        <select
          value=${filter}
          onChange=${(event: Event) => setFilter((event.currentTarget as HTMLSelectElement).value as Filter)}
        >
          <option value="failed">failed jobs</option>
          <option value="stuck">stuck jobs (waiting or running over 10 min)</option>
        </select>
      </label>
      <button type="button" onClick=${() => void load()}>Refresh</button>
    </div>
    ${message === null ? null : html`<p class="message" role="status">${message}</p>`}
    ${
      jobs === null
        ? html`<p class="muted">Loading…</p>`
        : jobs.length === 0
          ? html`<p class="muted" data-empty="queue">No ${filter} job.</p>`
          : html`<table class="jobs">
              <thead>
                <tr>
                  <th>Serial</th>
                  <th>Line</th>
                  <th>Job</th>
                  <th>Device</th>
                  <th>Attempts</th>
                  <th>Reason</th>
                  <th>Retry</th>
                </tr>
              </thead>
              <tbody>
                ${jobs.map(
                  (job) =>
                    html`<tr key=${job.id} data-job=${job.id} data-serial=${job.serial ?? ''}>
                      <td>${job.serial ?? '–'}</td>
                      <td>${job.line}</td>
                      <td>${job.state}</td>
                      <td class=${`state ${job.deviceState ?? ''}`}>${job.deviceState ?? '–'}</td>
                      <td>${job.attemptsMade}</td>
                      <td>
                        <b>${job.reasonCode ?? ''}</b>
                        ${job.failedReason === null ? null : html`<div class="muted">${job.failedReason}</div>`}
                      </td>
                      <td>
                        ${
                          job.retryable
                            ? html`<button type="button" data-action="retry" onClick=${() => setConfirming(job)}>
                                Retry
                              </button>`
                            : html`<span class="muted" data-retry="refused">${job.retry}</span>`
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
    ${
      confirming === null
        ? null
        : html`<${ConfirmRetry}
            job=${confirming}
            onConfirm=${() => void retry(confirming)}
            onCancel=${() => setConfirming(null)}
          />`
    }`;
}

/** Queue: failed and stuck jobs with their reasons, and a confirmed retry (admin). */
export const queuePage: ConsolePage = {
  id: 'queue',
  title: 'Queue',
  roles: ['admin'],
  render: (context: ConsoleContext) => html`<${QueueView} api=${context.api} />`,
};
