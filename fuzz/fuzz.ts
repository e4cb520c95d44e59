// npm run fuzz: schema-driven hostile requests against the real API (see fuzz/cases.ts for what is
// sent). Prints the seed first, counts by status and every failure; exits 1 on any 5xx, any 4xx
// that is not application/problem+json, any 2xx whose body fails the document, any request left
// unanswered past the timeout or hung up on without an answer; 2 on bad options.
import { createWriteStream } from 'node:fs';
import { readOpenApiOperations } from '../testkit/openapi-operations.js';
import { parseFuzzArgs, type FuzzArgs } from './args.js';
import { RequestFactory } from './cases.js';
import { Prng } from './prng.js';
import { renderReport } from './report.js';
import { runFuzz } from './runner.js';
import { startWorld } from './world.js';

async function main(args: FuzzArgs): Promise<number> {
  console.log(`fuzz: seed ${args.seed}, ${args.requests} requests, concurrency ${args.concurrency}`);
  const operations = readOpenApiOperations();
  const world = await startWorld();
  try {
    const factory = new RequestFactory(operations, world, new Prng(args.seed));
    const trace = args.trace === undefined ? undefined : createWriteStream(args.trace);
    const step = Math.max(Math.floor(args.requests / 10), 1);
    const result = await runFuzz(world.port, factory, operations, {
      requests: args.requests,
      concurrency: args.concurrency,
      timeoutMs: args.timeoutMs,
      onResult: (request, answer, finding) => {
        const body = request.body?.subarray(0, 2_000).toString('utf8');
        trace?.write(`${JSON.stringify({ ...request, body, answer, finding })}\n`);
      },
      onAnswer: (done) => {
        if (done % step === 0) process.stderr.write(`fuzz: ${done}/${args.requests}\n`);
      },
    });
    trace?.end();
    console.log(renderReport(result, args.seed));
    return result.failures.length === 0 ? 0 : 1;
  } finally {
    await world.stop();
  }
}

let args: FuzzArgs;
try {
  args = parseFuzzArgs(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
process.exitCode = await main(args);
