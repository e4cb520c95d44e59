import { type FaultPlan } from '#ingrain/simulator';

/** CLI names of the faults (`--fault NAME=N`), mapped to their {@link FaultPlan} keys. */
export const FAULT_FLAG_NAMES = {
  'power-loss-after-bytes': 'powerLossAfterBytes',
  'drop-rx-byte': 'dropReceivedByte',
  'corrupt-tx-byte': 'corruptTransmittedByte',
  'nack-command': 'nackCommand',
  'silent-from-command': 'silentFromCommand',
} as const satisfies Record<string, keyof FaultPlan>;

export type FaultFlagName = keyof typeof FAULT_FLAG_NAMES;
