import type { CommandGroup } from '../command.js';
import { hsmInitCommand } from './init-command.js';
import { hsmStatusCommand } from './status-command.js';

/** `ingrain-admin hsm …`: the HSM set-up ceremony and its status. */
export const hsmCommands: CommandGroup = {
  name: 'hsm',
  summary: 'HSM key inventory (PIN from INGRAIN_HSM_PIN_FILE or INGRAIN_HSM_PIN, never an argument)',
  commands: [hsmInitCommand, hsmStatusCommand],
};
