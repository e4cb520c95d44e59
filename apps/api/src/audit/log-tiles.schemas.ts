// Request and response models of the public log reads: checkpoint history, bundles at a named size.
import { z } from 'zod';
import { responseModel } from '../http/api-models.js';

/** An opaque page cursor: base64url of `{"after":<tree size>}`. */
export function encodeHistoryCursor(afterTreeSize: number): string {
  return Buffer.from(JSON.stringify({ after: afterTreeSize })).toString('base64url');
}

const historyCursor = z
  .string()
  .max(200)
  .transform((text, context) => {
    try {
      const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { after?: unknown };
      if (Number.isSafeInteger(value.after) && (value.after as number) >= 0) return value.after as number;
    } catch {
      // reported below
    }
    context.addIssue({ code: 'custom', message: 'cursor is not one this endpoint returned' });
    return z.NEVER;
  })
  .describe('The nextCursor of the previous page (opaque)');

export const CheckpointHistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Page size (1-1000, default 100)'),
  cursor: historyCursor.optional(),
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
      nextCursor: z.string().nullable().describe('Cursor of the next page; null on the last page'),
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
