// ingrain-admin (bin/ingrain-admin): the API's operator commands, run offline: the HSM key ceremony
// (hsm init, hsm status) and API tokens made straight in the database (token create, list, revoke).
import { runAdminCli } from './cli.js';

runAdminCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
