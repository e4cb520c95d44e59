import type {
  KeyObjectInfo,
  ProbeReport,
  ServiceKeyAssessment,
  ServiceKeySpec,
  TokenDescription,
} from '#ingrain/crypto';
import type { CeremonyResult } from './ceremony.js';

export function formatToken(token: TokenDescription): string {
  return `token: '${token.label}' (${token.manufacturer} ${token.model}, serial ${token.serialNumber}, slot index ${token.slotIndex})`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** Human-readable report of `hsm init`. */
export function formatCeremony(result: CeremonyResult): string {
  const rows = [
    ['label', 'algorithm', 'fingerprint', 'status'],
    ...result.keys.map((key) => [key.label, key.algorithm, key.fingerprint, key.created ? 'created' : 'present']),
  ];
  const ca = result.caCertificate;
  return [
    formatToken(result.token),
    ...table(rows),
    `CA certificate: ${ca.file} (${ca.created ? 'created' : 'present'})`,
    `  subject ${ca.subject}, valid until ${ca.notAfter}, sha256:${ca.fingerprintSha256}`,
    `public keys: ${result.outDir}`,
    '',
  ].join('\n');
}

/** Human-readable report of `hsm status`. */
export function formatStatus(status: {
  token: TokenDescription;
  probe: ProbeReport;
  inventory: readonly { spec: ServiceKeySpec; assessment: ServiceKeyAssessment; fingerprint?: string }[];
  keys: readonly KeyObjectInfo[];
}): string {
  const probeRows = status.probe.checks.map((check) => [check.ok ? 'ok' : 'MISSING', check.name, check.detail]);
  const inventoryRows = status.inventory.map(({ spec, assessment, fingerprint }) => [
    spec.label,
    spec.algorithm,
    assessment.status,
    fingerprint ?? ('problems' in assessment ? assessment.problems.join('; ') : ''),
  ]);
  const keyRows = status.keys.map((key) => [
    key.label,
    key.objectClass,
    key.keyType,
    key.curve ?? '',
    `id ${key.idHex}`,
  ]);
  return [
    formatToken(status.token),
    `capability probe: ${status.probe.ok ? 'ok' : `missing ${status.probe.missing.join(', ')}`}`,
    ...table(probeRows).map((line) => `  ${line}`),
    'service keys:',
    ...table(inventoryRows).map((line) => `  ${line}`),
    `key objects on the token: ${status.keys.length}`,
    ...table(keyRows).map((line) => `  ${line}`),
    '',
  ].join('\n');
}
