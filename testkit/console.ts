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
