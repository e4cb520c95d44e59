// A device's history as a timeline: one entry per state change, oldest first.
import { html } from '../../shell/html.js';
import type { VNode } from 'preact';
import type { components } from '#ingrain/api-client';

type DeviceEvent = components['schemas']['DeviceEvent'];

/** The facts of an event's details worth a line (never the full JSON). */
function detailLine(details: DeviceEvent['details']): string {
  if (details === null) return '';
  const parts: string[] = [];
  for (const key of ['stationOutcome', 'bytesWritten', 'blocksLocked', 'errorCode', 'errorPhase', 'omittedDiffs']) {
    const value = details[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      parts.push(`${key} ${value}`);
  }
  if (Array.isArray(details['diff'])) parts.push(`${details['diff'].length} difference(s)`);
  return parts.join(' · ');
}

export function Timeline({ history }: { readonly history: readonly DeviceEvent[] }): VNode {
  return html`
    <ol class="timeline" data-test="timeline">
      ${history.map(
        (event) => html`
          <li data-test="timeline-entry" data-state=${event.toState}>
            <time datetime=${event.at}>${new Date(event.at).toLocaleString()}</time>${' · '}
            <strong>${event.fromState === null ? 'created' : `${event.fromState} → ${event.toState}`}</strong>
            ${event.reason !== null && html`${' · '}<span class="reason">${event.reason}</span>`}${' · '}
            <span class="actor">by ${event.actor}</span>
            ${event.chipUid !== null && html`${' · '}<span class="chip">chip <code>${event.chipUid}</code></span>`}
            ${detailLine(event.details) !== '' && html`<div class="details">${detailLine(event.details)}</div>`}
          </li>
        `,
      )}
    </ol>
  `;
}
