import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadApiConfig } from '../../config/api-config.js';
import { TrustService } from '../../trust/trust.service.js';
import type { AdminCommand, CommandGroup } from '../command.js';
import { AdminError } from '../errors.js';
import { withHsm } from '../hsm/open-hsm.js';

/**
 * `ingrain-admin trust-root export [--out FILE]`: the deployment's trust root (docs/verifier.md
 * "Trust root"), from the same configuration and the same code as the API's `GET /v1/trust-root`,
 * so the two are the same bytes. Reads the HSM's public keys, `ca.pem` in INGRAIN_PUBLIC_KEYS_DIR,
 * INGRAIN_LOG_ORIGIN and INGRAIN_TRUST_ROOT_WITNESS_*; writes nothing secret.
 */
export const trustRootExportCommand: AdminCommand = {
  name: 'export',
  summary: 'print (or write to --out) the trust root auditors verify with: ingrain-verify --trust-root FILE',
  usage: '[--out <file>]',
  options: { out: { type: 'string' } },
  async run(values, io) {
    const config = loadApiConfig(io.env, io.cwd);
    const text = await withHsm(
      io.env,
      { probe: false },
      async (hsm) => (await TrustService.load(hsm, config)).trustRootJson,
    );
    const out = values['out'];
    if (typeof out !== 'string') {
      io.out(text);
      return 0;
    }
    const file = resolve(io.cwd, out);
    try {
      await writeFile(file, text, { mode: 0o644 });
    } catch (cause) {
      throw new AdminError('ADMIN_OUTPUT_FAILED', `cannot write the trust root to ${file}`, { cause });
    }
    io.err(`trust root written to ${file}\n`);
    return 0;
  },
};

/** `ingrain-admin trust-root …`: the one file auditors trust. */
export const trustRootCommands: CommandGroup = {
  name: 'trust-root',
  summary: 'the trust root (keys, device CA, log origin, witness policy) for ingrain-verify --trust-root',
  commands: [trustRootExportCommand],
};
