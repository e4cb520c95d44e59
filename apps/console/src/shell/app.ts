import type { VNode } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { PAGES } from '../pages/index.js';
import { createConsoleApi } from './api.js';
import { html } from './html.js';
import type { ConsolePage, ConsoleSession } from './page.js';
import { navigate, useRoute } from './router.js';
import { currentSession, signOut } from './session.js';
import { SignIn } from './sign-in.js';

/** The pages `session`'s role may see, in menu order. */
export function pagesFor(session: ConsoleSession): ConsolePage[] {
  return PAGES.filter((page) => page.roles.includes(session.role));
}

function Shell(props: { session: ConsoleSession; onSignedOut: () => void }): VNode {
  const { session } = props;
  const route = useRoute();
  const pages = useMemo(() => pagesFor(session), [session]);
  const api = useMemo(() => createConsoleApi(session.csrfToken), [session]);
  const page = pages.find((candidate) => candidate.id === route.pageId);
  useEffect(() => {
    if (page === undefined && pages[0] !== undefined) navigate(`/${pages[0].id}`);
  }, [page, pages]);
  const leave = async (): Promise<void> => {
    await signOut(session);
    props.onSignedOut();
  };
  return html`<div class="shell">
    <header>
      <span class="brand">Ingrain</span>
      <nav aria-label="Pages">
        ${pages.map(
          (item) =>
            html`<a href=${`#/${item.id}`} class=${item === page ? 'active' : ''} data-page=${item.id}
              >${item.title}</a
            >`,
        )}
      </nav>
      <span class="who" data-role=${session.role}>${session.subject} (${session.role})</span>
      <button type="button" class="sign-out" onClick=${leave}>Sign out</button>
    </header>
    <main id="page">
      ${
        page === undefined
          ? html`<p>No page for this role.</p>`
          : html`<${PageView} key=${page.id} page=${page} session=${session} api=${api} params=${route.params} />`
      }
    </main>
  </div>`;
}

function PageView(props: {
  page: ConsolePage;
  session: ConsoleSession;
  api: ReturnType<typeof createConsoleApi>;
  params: URLSearchParams;
}): VNode {
  return props.page.render({ session: props.session, api: props.api, params: props.params, navigate });
}

/** The console: the sign-in form until a session exists, then the shell with the role's pages. */
export function App(): VNode {
  const [session, setSession] = useState<ConsoleSession | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    currentSession().then(setSession, (failure: unknown) => setError(String(failure)));
  }, []);
  if (error !== null) return html`<p class="error" role="alert">${error}</p>`;
  if (session === undefined) return html`<p class="loading">Loading…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${setSession} />`;
  return html`<${Shell} session=${session} onSignedOut=${() => setSession(null)} />`;
}
