// The run fails on what the judge refuses: a fake server answers a 500, a bare-JSON 400 and a good
// problem; the run reports exactly the first two, with the request that got them.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { readOpenApiOperations } from '../testkit/openapi-operations.js';
import type { FuzzRequest } from './cases.js';
import { renderReport } from './report.js';
import { runFuzz } from './runner.js';

const PROBLEM = {
  type: 'urn:ingrain:problem:NOT_FOUND',
  title: 'Not Found',
  status: 404,
  detail: 'no such device',
  code: 'DEVICE_NOT_FOUND',
  errors: [],
  correlationId: 'c0ffee',
};

let server: Server;
let port: number;

before(async () => {
  server = createServer((request, response) => {
    if (request.url === '/boom') {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
    } else if (request.url === '/bare') {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"statusCode":400}');
    } else {
      response.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify(PROBLEM));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function request(index: number, target: string): FuzzRequest {
  return {
    index,
    operation: 'GET /v1/devices/{id}',
    operationId: 'devicesGet',
    kind: 'path:id',
    credential: 'mes',
    method: 'GET',
    target,
    headers: {},
    body: undefined,
  };
}

void describe('fuzz runner', () => {
  test('reports every 5xx and every 4xx that is not a problem, with its request', async () => {
    const targets = ['/v1/devices/x', '/boom', '/v1/devices/y', '/bare'];
    const source = { next: (index: number) => request(index, targets[index % targets.length] ?? '/') };
    const result = await runFuzz(port, source, readOpenApiOperations(), {
      requests: 8,
      concurrency: 3,
      timeoutMs: 5_000,
    });
    assert.equal(result.requests, 8);
    assert.deepEqual(Object.fromEntries(result.byStatus), { '404': 4, '500': 2, '400': 2 });
    assert.deepEqual(
      result.failures.map(({ request, finding }) => [request.index, request.target, finding.kind]),
      [
        [1, '/boom', 'server-error'],
        [3, '/bare', 'not-problem'],
        [5, '/boom', 'server-error'],
        [7, '/bare', 'not-problem'],
      ],
    );
    const report = renderReport(result, 7);
    assert.match(report, /4 FAILURES \(server-error 2, not-problem 2\)/);
    assert.match(report, /#1 server-error: GET \/boom as mes/);
    assert.match(report, /--seed 7 --requests 8/);
  });
});
