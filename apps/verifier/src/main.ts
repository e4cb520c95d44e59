// ingrain-verify: offline verification of attestation bundles (docs/verifier.md).
import { runMonitorCli } from './monitor/monitor-cli.js';
import { runVerifierCli } from './run.js';

const io = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
  cwd: process.cwd(),
};
const argv = process.argv.slice(2);
// `ingrain-verify monitor …` follows a log through its tiles (docs/verifier.md, "Monitoring the log").
(argv[0] === 'monitor' ? runMonitorCli(argv.slice(1), io) : runVerifierCli(argv, io)).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
