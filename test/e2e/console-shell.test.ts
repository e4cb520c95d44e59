// The console in a real browser (Debian's chromium via playwright-core) against the real API
// process: sign in by pasting a token, see the menu of the role, sign out; the token is never in
// page storage; the page runs under its strict CSP without a violation.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../testkit/browser.js';
import { openConsole, scriptVisibleCookies, signInAs, storedValues } from '../../testkit/console.js';
import { startLocalStack, type LocalStack } from '../../testkit/stack/index.js';

describe('console shell in a browser', () => {
  let dir: string;
  let stack: LocalStack;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-console-shell-'));
    stack = await startLocalStack({ dir: join(dir, 'stack'), stationIds: ['st-1'] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an admin signs in with a pasted token, sees the Line page, and signs out; no token in page storage', async () => {
    const { page, cspViolations } = await openConsole(browser, stack.api.url);
    await signInAs(page, stack.adminToken);
    await page.locator('header .who').waitFor();
    assert.match(await page.locator('header .who').innerText(), /\(admin\)/);
    await page.locator('nav a[data-page="line"]').waitFor();
    const stored = await storedValues(page);
    assert.ok(!stored.includes(stack.adminToken), 'the token is not in localStorage or sessionStorage');
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'ingrain_session');
    assert.ok(session?.httpOnly === true && session.sameSite === 'Strict');
    assert.ok(!cookies.some((cookie) => cookie.value.includes(stack.adminToken)));
    assert.equal(await scriptVisibleCookies(page), '', 'the session cookie is HttpOnly: invisible to scripts');
    await page.locator('button.sign-out').click();
    await page.locator('form input[name="token"]').waitFor();
    assert.ok(!(await page.context().cookies()).some((cookie) => cookie.name === 'ingrain_session'));
    assert.deepEqual(cspViolations, []);
    await page.close();
  });

  test('a wrong token is refused with its code', async () => {
    const { page } = await openConsole(browser, stack.api.url);
    await signInAs(page, `ingr_${'x'.repeat(43)}`);
    await page.locator('.sign-in .error').waitFor();
    assert.match(await page.locator('.sign-in .error').innerText(), /AUTH_INVALID/);
    await page.close();
  });
});
