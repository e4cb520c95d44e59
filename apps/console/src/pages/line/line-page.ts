import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from '../../shell/html.js';
import type { ConsolePage } from '../../shell/page.js';
import type { LineSnapshot, StationSummary } from './line-types.js';

type Connection = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** The line's snapshot, pushed by `GET /v1/line/events` (EventSource: no polling in the page). */
function useLineEvents(): { snapshot: LineSnapshot | null; connection: Connection } {
  const [snapshot, setSnapshot] = useState<LineSnapshot | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  useEffect(() => {
    const source = new EventSource('/v1/line/events');
    source.addEventListener('line', (event) => {
      setSnapshot(JSON.parse((event as MessageEvent<string>).data) as LineSnapshot);
      setConnection('live');
    });
    source.addEventListener('end', () => {
      source.close();
      setConnection('closed');
    });
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    return () => source.close();
  }, []);
  return { snapshot, connection };
}

function percent(ratio: number | null): string {
  return ratio === null ? '–' : `${(ratio * 100).toFixed(1)} %`;
}

function StationCard(props: { station: StationSummary }): VNode {
  const { station } = props;
  const offline = station.online === false;
  return html`<section
    class=${`station${offline ? ' offline' : ''}`}
    data-station=${station.id}
    data-online=${String(station.online)}
  >
    <h3>${station.name} <small>${station.id}</small></h3>
    <p class="status">
      ${station.online === null ? 'no heartbeat yet' : offline ? 'OFFLINE' : 'online'}
      ${station.lastSeenAt === null ? null : html` · last seen ${new Date(station.lastSeenAt).toLocaleTimeString()}`}
    </p>
    <p>${station.claimed} claimed · ${station.provisionedLastHour} provisioned in the last hour</p>
    ${
      station.fixtures.length === 0
        ? null
        : html`<ul class="fixtures">
            ${station.fixtures.map(
              (fixture) =>
                html`<li data-fixture=${fixture.id} class=${`fixture ${fixture.state}`}>
                  <span>${fixture.id}</span>
                  <b>${fixture.state}</b>${fixture.phase === null ? null : ` · ${fixture.phase}`}
                  ${fixture.reason === null ? null : html` · <em>${fixture.reason}</em>`}
                </li>`,
            )}
          </ul>`
    }
  </section>`;
}

function LineView(): VNode {
  const { snapshot, connection } = useLineEvents();
  if (snapshot === null)
    return html`<h2>Line</h2>
      <p class="connection" data-connection=${connection}>${connection}…</p>`;
  return html`<h2>Line</h2>
    <p class="connection" data-connection=${connection}>
      ${connection} · updated ${new Date(snapshot.at).toLocaleTimeString()}
    </p>
    <div class="tiles">
      <div class="tile">
        <span>Devices per hour</span><b data-metric="devices-per-hour">${snapshot.devicesPerHour}</b>
      </div>
      <div class="tile"><span>Yield (last hour)</span><b data-metric="yield">${percent(snapshot.yieldRatio)}</b></div>
      ${Object.entries(snapshot.devicesByState).map(
        ([state, count]) =>
          html`<div class="tile"><span>${state}</span><b data-state-count=${state}>${count}</b></div>`,
      )}
    </div>
    <h3>Stations</h3>
    <div class="stations">
      ${snapshot.stations.map((station) => html`<${StationCard} key=${station.id} station=${station} />`)}
    </div>
    <h3>Failures by reason (last 24 h)</h3>
    ${
      snapshot.failuresByReason.length === 0
        ? html`<p>None.</p>`
        : html`<table class="failures">
            <tbody>
              ${snapshot.failuresByReason.map(
                (row) =>
                  html`<tr>
                    <td>${row.reason}</td>
                    <td>${row.count}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h3>Recent device changes</h3>
    <table class="recent">
      <thead>
        <tr>
          <th>Time</th>
          <th>Serial</th>
          <th>From</th>
          <th>To</th>
          <th>Station</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        ${snapshot.recent.map(
          (change) =>
            html`<tr key=${change.id} data-serial=${change.serial} data-to=${change.to}>
              <td>${new Date(change.at).toLocaleTimeString()}</td>
              <td>${change.serial}</td>
              <td>${change.from ?? '–'}</td>
              <td class=${`state ${change.to}`}>${change.to}</td>
              <td>${change.stationId ?? '–'}</td>
              <td>${change.reason ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** Line: stations and fixtures live, devices per hour, yield, failures by reason (issue 11). */
export const linePage: ConsolePage = {
  id: 'line',
  title: 'Line',
  roles: ['admin', 'mes', 'auditor'],
  render: () => html`<${LineView} />`,
};
