// The query of GET /v1/attestations/export (docs/api.md "Bulk export").
import { z } from 'zod';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((text) => new Date(text))
    .describe(what);

export const ExportQuery = z
  .strictObject({
    format: z
      .enum(EXPORT_FORMATS)
      .describe(
        'jsonl: one verification bundle per line (ingrain-verify reads it); csv: one summary row per attestation',
      ),
    workOrderId: z.uuid().optional().describe('Every attestation of this work order'),
    from: instant('Attestations logged at or after this instant (RFC 3339)').optional(),
    to: instant('Attestations logged before this instant (RFC 3339)').optional(),
  })
  .superRefine((query, context) => {
    const hasRange = query.from !== undefined && query.to !== undefined;
    if (query.workOrderId === undefined && !hasRange) {
      const path = query.from === undefined ? 'from' : 'to';
      context.addIssue({ code: 'custom', path: [path], message: 'give workOrderId, or both from and to' });
    }
    if (query.from instanceof Date && query.to instanceof Date && query.from.getTime() >= query.to.getTime()) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    }
  });
export type ExportQuery = z.output<typeof ExportQuery>;
