/** What the checker reads: the API's devices, the simulators' chips, the transparency log, the MES's orders. */

/** A device as the API holds it (GET /v1/devices/{id}). */
export interface DeviceEvidence {
  readonly id: string;
  readonly serial: string;
  readonly state: 'queued' | 'claimed' | 'provisioned' | 'quarantined' | 'scrapped';
  readonly chipUid: string | null;
  readonly attestationLeafIndex: number | null;
  readonly lockedBlocks: readonly number[];
  readonly history: readonly {
    readonly toState: string;
    readonly reason: string | null;
    readonly chipUid: string | null;
  }[];
}

/** A chip's final state file: released to a bin, or still in its fixture. */
export interface ChipEvidence {
  readonly uidHex: string;
  readonly where: 'done' | 'quarantine' | 'fixture';
  readonly dataHex: string;
  readonly lockBytesHex: string;
  readonly damaged: readonly {
    readonly area: 'data' | 'lock';
    readonly offsetBytes: number;
    readonly reason: string;
  }[];
  /** Programming operations per byte (the simulator's state); absent in an older state file. */
  readonly programCounts?: { readonly dataHex: string; readonly lockHex: string };
}

/** One attestation in the log and whether its bundle (inclusion proof, signatures) verified offline. */
export interface LogEntryEvidence {
  readonly leafIndex: number;
  readonly deviceId: string;
  readonly chipUid: string;
  readonly verified: boolean;
}

export interface RunEvidence {
  readonly devices: readonly DeviceEvidence[];
  /** Serials the MES asked for that the API never answered with a device. */
  readonly unansweredOrders: readonly string[];
  readonly chips: readonly ChipEvidence[];
  readonly log: readonly LogEntryEvidence[];
  /** Where a chip's serial lies: byte offset and length in the OTP data (the layout's serial field). */
  readonly serialField: { readonly offsetBytes: number; readonly lengthBytes: number };
}
