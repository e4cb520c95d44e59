// Request and response models of the public log reads: checkpoint history, bundles at a named size.
import { z } from 'zod';
import { responseModel } from '../http/api-models.js';
import { cursorParam, limitParam, nextCursorField } from '../http/cursor.js';

export const CheckpointHistoryQuery = z.strictObject({
  limit: limitParam(1000, 100),
  cursor: cursorParam,
});
export type CheckpointHistoryQuery = z.output<typeof CheckpointHistoryQuery>;

export const CheckpointHistoryView = responseModel(
  'LogCheckpointHistory',
  z
    .object({
      checkpoints: z.array(
        z.object({
          treeSize: z.int(),
          rootHash: z.string().describe('Standard base64 of the 32-byte Merkle tree hash'),
          note: z.string().describe('The checkpoint as a signed note (C2SP), signed by the log key'),
          createdAt: z.iso.datetime({ offset: true }).describe('When the log signed it'),
        }),
      ),
      nextCursor: nextCursorField,
    })
    .describe('Every checkpoint the log signed, oldest first (docs/transparency-log.md, "History")'),
);
export type CheckpointHistoryView = z.output<typeof CheckpointHistoryView>;

export const BundleQuery = z.strictObject({
  treeSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Prove against the stored checkpoint of this tree size (default: the latest)'),
});
export type BundleQuery = z.output<typeof BundleQuery>;
