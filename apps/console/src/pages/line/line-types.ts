// The Line page's live data: what `GET /v1/line/events` pushes (event `line`), one snapshot per change.

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

export interface StationSummary {
  readonly id: string;
  readonly name: string;
  readonly line: string;
  /** Devices this station holds claimed right now. */
  readonly claimed: number;
  /** Devices it finished in the last hour. */
  readonly provisionedLastHour: number;
  /** null until the station sends heartbeats. */
  readonly online: boolean | null;
  readonly lastSeenAt: string | null;
  readonly fixtures: readonly FixtureSummary[];
}

export interface FixtureSummary {
  readonly id: string;
  readonly state: string;
  readonly phase: string | null;
  readonly reason: string | null;
}

export interface LineSnapshot {
  readonly at: string;
  readonly stations: readonly StationSummary[];
  readonly devicesByState: Readonly<Record<string, number>>;
  readonly devicesPerHour: number;
  /** provisioned / (provisioned + quarantined) over the last hour; null without any. */
  readonly yieldRatio: number | null;
  readonly failuresByReason: readonly { readonly reason: string; readonly count: number }[];
  readonly recent: readonly DeviceChange[];
}
