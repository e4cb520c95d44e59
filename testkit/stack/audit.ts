import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectData, type components, type IngrainClient } from '#ingrain/api-client';
import { type LocalStack } from './local-stack.js';
import { binPath } from '../paths.js';

const run = promisify(execFile);

export type AttestationSummary = components['schemas']['AttestationSummary'];

/** Every attestation of a work order, in log order (all pages). */
export async function listAttestations(auditor: IngrainClient, workOrderId: string): Promise<AttestationSummary[]> {
  const found: AttestationSummary[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page: components['schemas']['AttestationList'] = expectData(
      await auditor.GET('/v1/attestations', { params: { query: { workOrderId, offset, limit: 100 } } }),
    );
    found.push(...page.attestations);
    offset = page.nextOffset;
  }
  return found;
}

/**
 * Exports the verification bundle of each leaf (attestation, certificate chain, inclusion proof and
 * signed checkpoint) as an auditor would, one JSON line each, to `path` (a `.jsonl` file).
 */
export async function exportBundles(auditor: IngrainClient, leafIndexes: readonly number[], path: string) {
  const lines: string[] = [];
  for (const leafIndex of leafIndexes) {
    const bundle = expectData(
      await auditor.GET('/v1/attestations/{leafIndex}/bundle', { params: { path: { leafIndex } } }),
    );
    lines.push(JSON.stringify(bundle));
  }
  await writeFile(path, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
}

/** What `ingrain-verify --json` concluded. */
export interface VerifierVerdict {
  /** 0: every check passed; 1: a check failed; 2: usage or unreadable input. */
  readonly exitCode: number;
  readonly ok: boolean;
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly bundles: readonly { readonly source: string; readonly ok?: boolean; readonly checks: readonly unknown[] }[];
}

/**
 * Runs the offline verifier `bin/ingrain-verify` on bundle files with the published trust material
 * of the key ceremony (`publicKeysDir`: ca.pem, ingrain-attestation.pub.pem, ingrain-log.pub.pem).
 */
export async function runVerifier(
  bundlePaths: readonly string[],
  trust: { publicKeysDir: string; origin: string },
): Promise<VerifierVerdict> {
  const args = [
    binPath('ingrain-verify'),
    '--json',
    '--attestation-key',
    join(trust.publicKeysDir, 'ingrain-attestation.pub.pem'),
    '--log-key',
    join(trust.publicKeysDir, 'ingrain-log.pub.pem'),
    '--ca',
    join(trust.publicKeysDir, 'ca.pem'),
    '--origin',
    trust.origin,
    ...bundlePaths,
  ];
  try {
    const { stdout } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
    return { exitCode: 0, ...(JSON.parse(stdout) as Omit<VerifierVerdict, 'exitCode'>) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (failed.code === 1 && failed.stdout)
      return { exitCode: 1, ...(JSON.parse(failed.stdout) as Omit<VerifierVerdict, 'exitCode'>) };
    throw new Error(`ingrain-verify failed (exit ${failed.code}): ${failed.stderr ?? ''}`, { cause: error });
  }
}

/** The published trust material of the stack's key ceremony, as an auditor holds it. */
export function stackTrust(stack: Pick<LocalStack, 'hsm' | 'logOrigin'>): { publicKeysDir: string; origin: string } {
  return { publicKeysDir: stack.hsm.publicKeysDir, origin: stack.logOrigin };
}

/** What an auditor found for one work order. */
export interface WorkOrderAudit {
  readonly attestations: AttestationSummary[];
  readonly bundlePath: string;
  readonly verdict: VerifierVerdict;
}

/**
 * What an auditor does for a work order: lists its attestations, exports their bundles to
 * `bundlePath` (JSON Lines) and verifies them offline with the stack's trust material.
 */
export async function auditWorkOrder(
  stack: Pick<LocalStack, 'client' | 'catalog' | 'hsm' | 'logOrigin'>,
  workOrderId: string,
  bundlePath: string,
): Promise<WorkOrderAudit> {
  const auditor = stack.client(stack.catalog.auditorToken);
  const attestations = await listAttestations(auditor, workOrderId);
  await exportBundles(
    auditor,
    attestations.map((entry) => entry.leafIndex),
    bundlePath,
  );
  return { attestations, bundlePath, verdict: await runVerifier([bundlePath], stackTrust(stack)) };
}
