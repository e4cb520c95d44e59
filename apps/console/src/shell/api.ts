// The console's only way to the API: same-origin fetch with the session cookie, the CSRF header on
// state-changing requests, and problem details (RFC 9457) turned into a typed error.

/** An API answer that was not 2xx, with the problem's code and detail (docs/errors.md). */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ConsoleApiError';
  }
}

export interface ConsoleApi {
  get<T>(path: string): Promise<T>;
  /** GET returning the body as bytes (bundle and report downloads). */
  getBytes(path: string): Promise<Uint8Array>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** DELETE (with the CSRF header); undefined for 204. */
  delete<T = void>(path: string): Promise<T>;
}

async function failure(response: Response): Promise<ConsoleApiError> {
  let code = `HTTP_${response.status}`;
  let detail = response.statusText;
  try {
    const problem = (await response.json()) as { code?: unknown; detail?: unknown; title?: unknown };
    if (typeof problem.code === 'string') code = problem.code;
    if (typeof problem.detail === 'string') detail = problem.detail;
    else if (typeof problem.title === 'string') detail = problem.title;
  } catch {
    // Not a problem document: keep the status line.
  }
  return new ConsoleApiError(response.status, code, detail);
}

/** The API client for a signed-in session (`csrfToken` from `GET /console/session`). */
export function createConsoleApi(csrfToken: string): ConsoleApi {
  const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await failure(response);
    return response;
  };
  return {
    get: async <T>(path: string) => (await (await send('GET', path)).json()) as T,
    getBytes: async (path: string) => new Uint8Array(await (await send('GET', path)).arrayBuffer()),
    post: async <T>(path: string, body?: unknown) => {
      const response = await send('POST', path, body);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
    delete: async <T>(path: string) => {
      const response = await send('DELETE', path);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
  };
}
