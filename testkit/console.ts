// The web console in a test's browser (docs/console.md): open it, sign in by pasting a token, read
// what the page stored. Shared by test/e2e/console*.test.ts and the screenshot script.
import type { Browser, Page } from 'playwright-core';

export interface OpenedConsole {
  readonly page: Page;
  /** Content-Security-Policy violations the page reported (console messages), in order. */
  readonly cspViolations: string[];
  /** Uncaught page errors, in order. */
  readonly pageErrors: string[];
}

/** Opens the console at `apiUrl` in a fresh browser context (no cookie shared with another test). */
export async function openConsole(browser: Browser, apiUrl: string, route = ''): Promise<OpenedConsole> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('close', () => void context.close().catch(() => undefined));
  await page.goto(`${apiUrl}/${route}`);
  return { page, cspViolations, pageErrors };
}

/** Pastes `token` into the sign-in form and submits it. */
export async function signInAs(page: Page, token: string): Promise<void> {
  const input = page.locator('form input[name="token"]');
  await input.waitFor();
  await input.fill(token);
  await page.locator('form button[type="submit"]').click();
}

/** Every key and value of the page's localStorage and sessionStorage, as one text. */
export async function storedValues(page: Page): Promise<string> {
  // A string: this file is compiled without the DOM's types (it runs in Node; the expression in the page).
  return page.evaluate<string>(`(() => {
    const dump = (storage) => Array.from({ length: storage.length }, (_, index) => {
      const key = storage.key(index);
      return key + '=' + storage.getItem(key);
    });
    return [...dump(window.localStorage), ...dump(window.sessionStorage)].join('\\n');
  })()`);
}

/** `document.cookie` as the page's scripts see it (HttpOnly cookies are not in it). */
export async function scriptVisibleCookies(page: Page): Promise<string> {
  return page.evaluate<string>('document.cookie');
}

/** The ids of the pages in the menu, in order. */
export async function menuPages(page: Page): Promise<string[]> {
  await page.locator('header nav').waitFor();
  const links = await page.locator('header nav a').all();
  return Promise.all(links.map(async (link) => (await link.getAttribute('data-page')) ?? ''));
}

/** An open `text/event-stream` response read as text: what arrived so far, and how to stop. */
export interface EventStreamReader {
  readonly status: number;
  readonly contentType: string;
  /** Resolves with everything read once `until` holds for it; rejects when the stream ends first. */
  readUntil(until: (text: string) => boolean): Promise<string>;
  close(): void;
}

/** Opens `url` as an event stream with `headers` (a cookie or a bearer token). */
export async function openEventStream(url: string, headers: Record<string, string>): Promise<EventStreamReader> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    async readUntil(until) {
      if (reader === undefined) throw new Error('no body');
      while (!until(text)) {
        const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (done) throw new Error(`the stream ended before the expected text: ${text.slice(-500)}`);
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    close: () => abort.abort(),
  };
}
