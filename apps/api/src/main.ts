// ingrain-api: the REST API (NestJS on Fastify). Configuration comes from the environment only.
import { loadApiConfig } from './config/api-config.js';
import { createApp } from './http/create-app.js';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const app = await createApp(config);
  // SIGTERM/SIGINT: stop accepting connections, finish in-flight requests, then close the
  // database, HSM sessions and Redis (the providers' shutdown hooks).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen({ host: config.http.host, port: config.http.port });
}

main().catch((error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  const prefix = typeof code === 'string' ? `error [${code}]` : 'error';
  process.stderr.write(`ingrain-api: ${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
