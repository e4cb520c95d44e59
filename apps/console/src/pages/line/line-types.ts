// The Line page's live data: what `GET /v1/line/events` pushes (event `line`), one snapshot per
// change. The line view is `GET /v1/line`'s (openapi/openapi.json, LineView): only the fields read here.

export interface FixtureSummary {
  readonly port: string;
  readonly state: string;
  readonly phase: string | null;
  readonly reason: string | null;
  readonly deviceId: string | null;
}

export interface StationSummary {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  readonly status: 'online' | 'offline';
  readonly lastSeenAt: string | null;
  readonly version: string | null;
  readonly fixtures: readonly FixtureSummary[];
}

export interface LineView {
  readonly windowMinutes: number;
  readonly stations: readonly StationSummary[];
  readonly online: number;
  readonly offline: number;
  readonly provisioned: number;
  readonly quarantined: number;
  readonly devicesPerHour: number;
  readonly yield: number | null;
  readonly failuresByReason: readonly { readonly reason: string; readonly count: number }[];
}

/** One device state change (from the device history). */
export interface DeviceChange {
  readonly id: number;
  readonly at: string;
  readonly deviceId: string;
  readonly serial: string;
  readonly from: string | null;
  readonly to: string;
  readonly reason: string | null;
  readonly stationId: string | null;
}

export interface LineSnapshot {
  readonly at: string;
  readonly line: LineView;
  readonly devicesByState: Readonly<Record<string, number>>;
  readonly recent: readonly DeviceChange[];
}
