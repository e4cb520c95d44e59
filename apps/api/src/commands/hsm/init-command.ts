import { resolve } from 'node:path';
import type { AdminCommand, OptionValues } from '../command.js';
import { AdminError } from '../errors.js';
import { runHsmCeremony } from './ceremony.js';
import { formatCeremony } from './format.js';
import { withHsm } from './open-hsm.js';

/** Default output directory of the ceremony, relative to the working directory. */
export const DEFAULT_CEREMONY_DIR = '.ingrain/public-keys';
const DEFAULT_CA_COMMON_NAME = 'Ingrain Device CA';
const DEFAULT_CA_VALIDITY_DAYS = 3650;

export const hsmInitCommand: AdminCommand = {
  name: 'init',
  summary: 'set-up ceremony: ensure the service keys, export public keys and the self-signed device CA certificate',
  usage: '[--out DIR] [--json] [--ca-common-name CN] [--ca-organization O] [--ca-validity-days N]',
  options: {
    out: { type: 'string' },
    json: { type: 'boolean' },
    'ca-common-name': { type: 'string' },
    'ca-organization': { type: 'string' },
    'ca-validity-days': { type: 'string' },
  },
  async run(values, io) {
    const outDir = resolve(io.cwd, stringOption(values['out']) ?? DEFAULT_CEREMONY_DIR);
    const organization = stringOption(values['ca-organization']);
    const caOptions = {
      subjectCommonName: stringOption(values['ca-common-name']) ?? DEFAULT_CA_COMMON_NAME,
      validityDays: validityDays(stringOption(values['ca-validity-days'])),
      ...(organization === undefined ? {} : { organization }),
    };
    const result = await withHsm(io.env, {}, (hsm) => runHsmCeremony(hsm, outDir, caOptions));
    io.out(values['json'] === true ? `${JSON.stringify(result, null, 2)}\n` : formatCeremony(result));
    return 0;
  },
};

function stringOption(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function validityDays(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CA_VALIDITY_DAYS;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1) {
    throw new AdminError('ADMIN_USAGE', '--ca-validity-days must be a positive whole number of days');
  }
  return Number(text);
}
