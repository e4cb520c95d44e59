// The contract between the console's shell and its pages: a page declares its route, its title,
// the roles that see it in the menu, and how it renders. The shell signs in, picks the pages the
// signed-in role may see, and routes between them (hash routes, so the API serves one HTML file).
import type { VNode } from 'preact';
import type { ConsoleApi } from './api.js';

/** The API's roles (apps/api/src/auth/roles.ts). */
export type ConsoleRole = 'admin' | 'mes' | 'station' | 'auditor';

/** Who is signed in, as `GET /console/session` answers. */
export interface ConsoleSession {
  readonly role: ConsoleRole;
  /** The token's display name (never the token). */
  readonly subject: string;
  /** Sent back in the X-CSRF-Token header on every state-changing request. */
  readonly csrfToken: string;
}

/** What every page gets from the shell. */
export interface ConsoleContext {
  readonly session: ConsoleSession;
  readonly api: ConsoleApi;
  /** The query part of the hash route (`#/devices?serial=X` -> serial=X). */
  readonly params: URLSearchParams;
  /** Navigates to another page's route (e.g. `#/devices?id=…`). */
  readonly navigate: (route: string) => void;
}

export interface ConsolePage {
  /** Stable id, also the first segment of the hash route: `#/<id>`. */
  readonly id: string;
  readonly title: string;
  /** The roles that see this page in the menu and may open it. */
  readonly roles: readonly ConsoleRole[];
  readonly render: (context: ConsoleContext) => VNode;
}
