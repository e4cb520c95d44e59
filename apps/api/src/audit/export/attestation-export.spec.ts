import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { AttestationRepository } from '../../repositories/attestation-repository.js';
import { automock, type Automocked, callsOf, resolves } from '../../testing/automock.js';
import { attestationRecord } from '../../testing/fixtures.js';
import { LogReader } from '../log-reader.js';
import { AttestationExporter, csvField, EXPORT_PAGE_SIZE } from './attestation-export.js';

const collect = async (chunks: AsyncIterable<string>): Promise<string[]> => {
  const all: string[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
};

describe('AttestationExporter', () => {
  let attestations: Automocked<AttestationRepository>;
  let log: Automocked<LogReader>;
  let exporter: AttestationExporter;

  beforeEach(() => {
    attestations = automock(AttestationRepository);
    log = automock(LogReader);
    exporter = new AttestationExporter(attestations, log);
  });

  test('reads the attestations a bounded page at a time until a short page', async () => {
    const full = Array.from({ length: EXPORT_PAGE_SIZE }, (_, i) => attestationRecord({ leafIndex: i }));
    let call = 0;
    attestations.search = (_filters, page) => {
      call++;
      assert.equal(page.limit, EXPORT_PAGE_SIZE);
      return Promise.resolve(call === 1 ? full : [attestationRecord({ leafIndex: EXPORT_PAGE_SIZE })]);
    };
    const lines = await collect(
      exporter.chunks({ format: 'csv', workOrderId: 'a1b2c3d4-0000-4000-8000-000000000000' }),
    );
    assert.equal(call, 2);
    assert.equal(lines.length, 1 + EXPORT_PAGE_SIZE + 1);
    assert.equal(lines[0], 'leafIndex,deviceId,serial,chipUid,productId,workOrderId,stationId,createdAt\r\n');
  });

  test('jsonl: one bundle per line, as the log reader builds it', async () => {
    resolves(attestations, 'search', [attestationRecord({ leafIndex: 7 })]);
    resolves(log, 'bundle', { format: 'ingrain.verification-bundle.v1' } as never);
    const lines = await collect(exporter.chunks({ format: 'jsonl', from: new Date(0), to: new Date(1) }));
    assert.deepEqual(lines, ['{"format":"ingrain.verification-bundle.v1"}\n']);
    assert.deepEqual(callsOf(log, 'bundle'), [[7]]);
  });

  test('CSV fields follow RFC 4180 and are never altered', () => {
    assert.equal(csvField('SN-1'), 'SN-1');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"\n'), '"say ""hi""\n"');
    assert.equal(csvField('=1+1'), '=1+1');
    assert.equal(csvField(null), '');
  });
});
