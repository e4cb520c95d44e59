import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StationError } from '../errors.js';
import type { StationMetrics } from './station-metrics.js';

/**
 * `GET /metrics` on its own port (INGRAIN_STATION_METRICS_PORT, bound to
 * INGRAIN_STATION_METRICS_HOST, loopback by default): Prometheus text format, no authentication,
 * nothing else served. It carries counts, durations and codes only.
 */
export class MetricsServer {
  private constructor(private readonly server: Server) {}

  /** @throws StationError `STATION_CONFIG_INVALID` when the address cannot be bound (in use, not local). */
  static async start(metrics: StationMetrics, host: string, port: number): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      metrics.exposition().then(
        ({ contentType, body }) =>
          response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
        () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new StationError(
            'STATION_CONFIG_INVALID',
            `INGRAIN_STATION_METRICS_PORT: cannot listen on ${host}:${port} (${error.code ?? error.message})`,
          ),
        ),
      );
      server.listen(port, host, () => resolve());
    });
    return new MetricsServer(server);
  }

  /** The bound port (the one asked for, or the one the OS chose for 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
