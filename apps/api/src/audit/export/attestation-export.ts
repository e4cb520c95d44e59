import { Inject, Injectable } from '@nestjs/common';
import { AttestationRepository, type AttestationRecord } from '../../repositories/attestation-repository.js';
import { toSummary } from '../audit-views.js';
import { LogReader } from '../log-reader.js';
import type { ExportQuery } from './export.schemas.js';

/** Attestations read per database query: memory stays bounded whatever the export's size. */
export const EXPORT_PAGE_SIZE = 200;

/** The CSV columns, in order (docs/api.md "Bulk export"). */
export const CSV_COLUMNS = [
  'leafIndex',
  'deviceId',
  'serial',
  'chipUid',
  'productId',
  'workOrderId',
  'stationId',
  'createdAt',
] as const;

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled. Values are not altered. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRow(record: AttestationRecord): string {
  const summary = toSummary(record);
  return `${CSV_COLUMNS.map((column) => csvField(summary[column])).join(',')}\r\n`;
}

/**
 * The bulk export of logged attestations (a work order's, or a time range's), in log order, as text
 * chunks to stream: verification bundles as JSON Lines, or a CSV summary with a header row.
 * Reads {@link EXPORT_PAGE_SIZE} attestations at a time; each bundle is against the latest
 * checkpoint when it is built.
 */
@Injectable()
export class AttestationExporter {
  constructor(
    @Inject(AttestationRepository) private readonly attestations: AttestationRepository,
    @Inject(LogReader) private readonly log: LogReader,
  ) {}

  async *chunks(query: ExportQuery): AsyncGenerator<string> {
    const { format, ...filters } = query;
    if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
    for await (const record of this.#records(filters)) {
      if (format === 'csv') {
        yield csvRow(record);
        continue;
      }
      const bundle = await this.log.bundle(record.leafIndex);
      if (bundle !== undefined) yield `${JSON.stringify(bundle)}\n`;
    }
  }

  async *#records(filters: Omit<ExportQuery, 'format'>): AsyncGenerator<AttestationRecord> {
    // Offset paging in log order is stable here: attestations are only ever appended, at higher
    // leaf indices, so a page boundary never moves.
    for (let offset = 0; ; offset += EXPORT_PAGE_SIZE) {
      const page = await this.attestations.search(filters, { limit: EXPORT_PAGE_SIZE, offset });
      yield* page;
      if (page.length < EXPORT_PAGE_SIZE) return;
    }
  }
}
