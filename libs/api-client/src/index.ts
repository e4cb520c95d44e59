// Public API of libs/api-client: a typed client of the Ingrain API, generated from
// openapi/openapi.json (schema.ts is generated: `npm run openapi`; never edit it by hand).
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** An RFC 9457 problem, the body of every error response. */
export type ProblemDetails = components['schemas']['ProblemDetails'];

/** The client: `client.GET('/v1/tokens')`, `client.POST('/v1/tokens', { body })` — typed paths, bodies and results. */
export type IngrainClient = Client<paths>;

export interface IngrainClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:8080` (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** An API token (`ingr_…`), sent as `Authorization: Bearer …` with every request. */
  readonly token?: string;
  /** A fetch implementation (default: the global fetch). */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** More headers for every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A typed client of the Ingrain API (openapi-fetch). Every call resolves to `{ data, error,
 * response }`: `error` is the {@link ProblemDetails} of a 4xx/5xx; network failures reject.
 */
export function createIngrainClient(options: IngrainClientOptions): IngrainClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}

/** An error response of the API, thrown by {@link expectData}. `problem` says what and why. */
export class IngrainApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(readonly problem: ProblemDetails) {
    super(`${problem.code}: ${problem.detail} (correlation id ${problem.correlationId})`);
    this.name = new.target.name;
    this.status = problem.status;
    this.code = problem.code;
  }
}

/**
 * The data of a successful call; throws {@link IngrainApiError} with the problem of an error response.
 * `const token = expectData(await client.POST('/v1/tokens', { body }))`.
 */
export function expectData<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined) throw new IngrainApiError(toProblem(result.error, result.response));
  return result.data as T;
}

function toProblem(error: unknown, response: Response): ProblemDetails {
  const candidate = error as Partial<ProblemDetails> | null;
  if (candidate !== null && typeof candidate === 'object' && typeof candidate.code === 'string') {
    return candidate as ProblemDetails;
  }
  return {
    type: 'about:blank',
    title: response.statusText,
    status: response.status,
    detail: typeof error === 'string' ? error : `HTTP ${response.status}`,
    code: `HTTP_${response.status}`,
    errors: [],
    correlationId: response.headers.get('x-request-id') ?? '',
  };
}
