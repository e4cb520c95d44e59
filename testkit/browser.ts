// A real browser for the tests that have a page: Playwright's playwright-core driving Debian's
// chromium (scripts/setup.sh installs it). No browser is downloaded: these machines have no internet.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian's chromium package puts its binary; INGRAIN_CHROMIUM overrides it. */
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];

/** The chromium executable, or an error that says how to get one. */
export function chromiumPath(): string {
  const override = process.env['INGRAIN_CHROMIUM'];
  if (override) return override;
  const found = CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));
  if (!found) throw new Error('chromium not found: run scripts/setup.sh (installs the Debian package chromium)');
  return found;
}

/**
 * Launches a headless chromium. `--no-sandbox` because the tests run as root (chromium refuses its
 * sandbox for root); the pages it opens are the project's own, served locally.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
