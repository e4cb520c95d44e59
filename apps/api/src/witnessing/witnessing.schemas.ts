// Response model of GET /v1/log/witnessed-checkpoint (docs/witness.md).
import { z } from 'zod';
import { responseModel } from '../http/api-models.js';

export const WitnessedCheckpointView = responseModel(
  'WitnessedCheckpoint',
  z
    .object({
      treeSize: z.number().int().min(0).describe('Tree size of the witnessed checkpoint'),
      note: z
        .string()
        .describe(
          'The checkpoint note signed by the log key followed by every collected cosignature line ' +
            '(c2sp.org/tlog-cosignature); check it with ingrain-verify --witness',
        ),
      cosignatures: z
        .array(
          z.object({
            witnessKey: z.string().describe('The witness vkey (c2sp.org/signed-note) as configured'),
            keyName: z.string().describe('The witness key name'),
            cosignedAt: z.iso.datetime().describe('The time the witness put in its cosignature'),
          }),
        )
        .describe('Who cosigned it, in the note order'),
    })
    .describe('The latest checkpoint the configured witnesses cosigned'),
);
export type WitnessedCheckpointView = z.output<typeof WitnessedCheckpointView>;
