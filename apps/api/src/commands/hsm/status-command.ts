import { inspectServiceKeys } from '#ingrain/crypto';
import type { AdminCommand } from '../command.js';
import { formatStatus } from './format.js';
import { withHsm } from './open-hsm.js';

export const hsmStatusCommand: AdminCommand = {
  name: 'status',
  summary:
    'show the token, the capability probe and the key inventory (exit 1 if the probe fails or a key is unusable)',
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  async run(values, io) {
    // Open without the probe so that a failing probe is reported, not thrown.
    const status = await withHsm(io.env, { probe: false }, async (hsm) => ({
      token: hsm.token,
      probe: await hsm.probe(),
      inventory: await inspectServiceKeys(hsm),
      keys: await hsm.listKeys(),
    }));
    io.out(values['json'] === true ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    const unusable = status.inventory.some(({ assessment }) =>
      ['conflict', 'policy-violation'].includes(assessment.status),
    );
    return status.probe.ok && !unusable ? 0 : 1;
  },
};
