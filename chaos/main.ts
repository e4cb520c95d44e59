// npm run chaos — the standing chaos suite (issue 9): a line of 2 stations × 4 fixtures provisions
// devices while stations and the API are killed with SIGKILL (mostly while writing or reporting),
// Redis restarts with and without its data, and the simulated chips lose power and bytes; then it
// checks that nothing was lost, duplicated, programmed twice or left stuck. docs/reliability.md.
import { renderReport } from './report.js';
import { runChaos } from './run.js';
import { parseScenario, ScenarioError, USAGE } from './scenario.js';

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const scenario = parseScenario(argv);
  const result = await runChaos(scenario, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(scenario.json ? `${JSON.stringify(result)}\n` : renderReport(result));
  return result.invariants.every((invariant) => invariant.count === 0) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ScenarioError) process.stderr.write(`chaos: ${error.message}\n${USAGE}\n`);
    else process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
