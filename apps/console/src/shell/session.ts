// Sign-in, the current session and sign-out: the only calls made before a session exists. The token
// goes to the API once, in the sign-in request's body; the page keeps only what GET /console/session
// answers (role, subject, CSRF token), in memory. Nothing is written to localStorage or sessionStorage.
import { ConsoleApiError } from './api.js';
import type { ConsoleSession } from './page.js';

async function problemOf(response: Response): Promise<ConsoleApiError> {
  let code = `HTTP_${response.status}`;
  let detail = response.statusText;
  try {
    const problem = (await response.json()) as { code?: unknown; detail?: unknown };
    if (typeof problem.code === 'string') code = problem.code;
    if (typeof problem.detail === 'string') detail = problem.detail;
  } catch {
    // Not a problem document.
  }
  return new ConsoleApiError(response.status, code, detail);
}

/** The live session of this browser's cookie, or null when signed out. */
export async function currentSession(): Promise<ConsoleSession | null> {
  const response = await fetch('/console/session', {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (response.status === 401) return null;
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as ConsoleSession;
}

/** Exchanges a pasted token for a session cookie. */
export async function signIn(token: string): Promise<ConsoleSession> {
  const response = await fetch('/console/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ token: token.trim() }),
  });
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as ConsoleSession;
}

export async function signOut(session: ConsoleSession): Promise<void> {
  const response = await fetch('/console/session', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': session.csrfToken },
  });
  if (!response.ok && response.status !== 401) throw await problemOf(response);
}
