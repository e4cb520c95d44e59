// Worker thread entry of verifyLogRange: verifies its slice of attestation entries, posts the result.
import { parentPort } from 'node:worker_threads';
import { verifyAttestationEntries } from './range-entries.js';
import type { RangeWorkerInput } from './range-verifier.js';

function verifySlice(input: RangeWorkerInput): void {
  const result = verifyAttestationEntries(
    input.entries,
    input.firstLeafIndex,
    input.attestationPublicKeySpkiDer,
    input.maxReportedFailures,
  );
  parentPort?.postMessage(result);
}

// Messages sent before this listener exists are queued by the port, not lost.
parentPort?.once('message', verifySlice);
