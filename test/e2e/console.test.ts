// The console in a real browser (Debian's chromium via playwright-core) against the real local
// stack (API process, Redis, SoftHSM, a station process, simulated chips): each role sees only its
// pages and its cookie cannot call another role's route; a cookie without the CSRF header changes
// nothing; a device is watched live on the Line page from queued to provisioned (pushed by
// GET /v1/line/events); a failed job is retried from the Queue page; a killed station shows offline.
// With INGRAIN_CONSOLE_SCREENSHOTS_DIR set, each page is saved there as a PNG
// (scripts/console-screenshots.sh copies them to docs/console/).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lineQueueName } from '#ingrain/contracts';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../testkit/browser.js';
import { menuPages, openConsole, openEventStream, signInAs } from '../../testkit/console.js';
import {
  orderDevices,
  pollUntil,
  startLocalStack,
  startSimProcess,
  type LocalStack,
  type SimProcess,
} from '../../testkit/stack/index.js';

const OFFLINE_AFTER_MS = 2_000;
const SCREENSHOTS = process.env['INGRAIN_CONSOLE_SCREENSHOTS_DIR'];
const LINK_FAILURE = 'STATION_CHIP_LINK_ERROR: the link kept failing after the in-job retries (console test)';

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS === undefined || SCREENSHOTS === '') return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** `fetch` from inside the page (its cookie, its origin): status and problem code. */
async function fetchInPage(
  page: Page,
  path: string,
  init: { method: string; headers?: Record<string, string> },
): Promise<{ status: number; code: string | undefined }> {
  return page.evaluate(
    async ({ path, init }) => {
      const response = await fetch(path, { ...init, credentials: 'same-origin' });
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      return { status: response.status, code: body.code };
    },
    { path, init },
  );
}

describe('the console in a browser, against the local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let sim: SimProcess;
  let browser: Browser;
  let releaseDir: string;
  const tokens: Record<'admin' | 'mes' | 'auditor', string> = { admin: '', mes: '', auditor: '' };
  let provisionedId = '';

  /** The ids of the failed jobs, as the admin reads them over the API. */
  async function failedJobIds(): Promise<string[]> {
    const response = await fetch(`${stack.api.url}/v1/queue/jobs?state=failed`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { jobs: { id: string }[] }).jobs.map((job) => job.id);
  }

  async function signedIn(role: keyof typeof tokens, route = ''): Promise<Page> {
    const { page, pageErrors, cspViolations } = await openConsole(browser, stack.api.url, route);
    await signInAs(page, tokens[role]);
    await page.locator(`header .who[data-role="${role}"]`).waitFor();
    page.on('close', () => {
      assert.deepEqual(cspViolations, [], 'no CSP violation');
      assert.deepEqual(pageErrors, [], 'no page error');
    });
    return page;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingrain-console-'));
    stack = await startLocalStack({
      dir: join(dir, 'stack'),
      stationIds: ['st-1'],
      apiEnv: { INGRAIN_STATION_OFFLINE_AFTER_MS: String(OFFLINE_AFTER_MS) },
    });
    releaseDir = join(dir, 'release');
    sim = await startSimProcess({ family: 'stm32f4', count: 2, feeder: { releaseDir } });
    tokens.admin = stack.adminToken;
    tokens.mes = stack.catalog.mesToken;
    tokens.auditor = stack.catalog.auditorToken;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('each role sees only its pages, and its cookie cannot call another role’s route', async () => {
    const menus: Record<string, string[]> = {};
    for (const role of ['admin', 'mes', 'auditor'] as const) {
      const page = await signedIn(role);
      menus[role] = await menuPages(page);
      await page.locator('h2').first().waitFor();
      if (role !== 'admin') {
        const refused = await fetchInPage(page, '/v1/queue/jobs?state=failed', { method: 'GET' });
        assert.deepEqual(refused, { status: 403, code: 'ROLE_FORBIDDEN' }, `${role}: the queue is admin only`);
        await page.goto(`${stack.api.url}/#/queue`);
        await page.locator('h2').first().waitFor();
        assert.notEqual(await page.locator('h2').first().innerText(), 'Queue', `${role}: no Queue page`);
      }
      await page.close();
    }
    assert.ok(menus['admin']?.includes('line') && menus['admin'].includes('queue'), JSON.stringify(menus));
    for (const role of ['mes', 'auditor']) {
      assert.ok(menus[role]?.includes('line'), `${role} sees the Line: ${JSON.stringify(menus)}`);
      assert.ok(!menus[role]?.includes('queue'), `${role} does not see the Queue: ${JSON.stringify(menus)}`);
    }
  });

  test('with the cookie but without the CSRF header, a state-changing request is refused', async () => {
    const page = await signedIn('admin');
    const anyId = '00000000-0000-4000-8000-000000000000';
    const refused = await fetchInPage(page, `/v1/queue/jobs/${anyId}/retry`, { method: 'POST' });
    assert.deepEqual(refused, { status: 403, code: 'CSRF_TOKEN_INVALID' });
    const other = await fetchInPage(page, `/v1/queue/jobs/${anyId}/retry`, {
      method: 'POST',
      headers: { 'x-csrf-token': 'not-the-session-token' },
    });
    assert.deepEqual(other, { status: 403, code: 'CSRF_TOKEN_INVALID' });
    await page.close();
  });

  test('a device goes live from queued to failed, is retried from the Queue page, and is provisioned; the station killed shows offline', async () => {
    const line = await signedIn('mes', '#/line');
    await line.locator('.connection[data-connection="live"]').waitFor();
    const mes = stack.client(tokens.mes);
    const { deviceIds } = await orderDevices(mes, {
      productId: stack.catalog.productId,
      quantity: 1,
      serialPrefix: 'SN-UI-',
    });
    const serial = 'SN-UI-000001';
    await line.locator(`tr[data-serial="${serial}"][data-to="queued"]`).waitFor();

    // A job that fails for good, as a station's link failure does after its retries (the device stays queued).
    const failing = new Worker(
      lineQueueName(stack.catalog.line),
      () => Promise.reject(new UnrecoverableError(LINK_FAILURE)),
      { connection: { url: stack.redis.url }, autorun: true },
    );
    try {
      await pollUntil(
        'the job to fail',
        async () => ((await failedJobIds()).includes(deviceIds[0] ?? '') ? true : undefined),
        {
          timeoutMs: 30_000,
          intervalMs: 300,
        },
      );
    } finally {
      await failing.close();
    }
    const admin = await signedIn('admin', '#/queue');
    const row = admin.locator(`tr[data-job="${deviceIds[0]}"]`);
    await pollUntil(
      'the failed job on the Queue page',
      async () => {
        if ((await row.count()) > 0) return true;
        await admin.locator('button', { hasText: 'Refresh' }).click();
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.match(await row.innerText(), /STATION_CHIP_LINK_ERROR/);
    await screenshot(admin, 'queue');

    const station = await stack.startStation('st-1', [sim.devices[0]?.port ?? ''], {
      releaseDir,
      env: { INGRAIN_STATION_HEARTBEAT_MS: '200' },
    });
    await row.locator('button[data-action="retry"]').click();
    await admin.locator('dialog.confirm-retry').waitFor();
    assert.match(await admin.locator('dialog.confirm-retry').innerText(), /link kept failing/);
    await admin.locator('button[data-action="confirm-retry"]').click();
    await admin.locator('.message', { hasText: 'queued again' }).waitFor();

    await line.locator(`tr[data-serial="${serial}"][data-to="claimed"]`).waitFor({ timeout: 60_000 });
    await line.locator(`tr[data-serial="${serial}"][data-to="provisioned"]`).waitFor({ timeout: 60_000 });
    provisionedId = deviceIds[0] ?? '';
    await line.locator('section[data-station="st-1"][data-status="online"]').waitFor();
    await screenshot(line, 'line');

    // The retried job completed: the failed list no longer holds it.
    await admin.locator('button', { hasText: 'Refresh' }).click();
    await admin.locator('[data-empty="queue"]').waitFor();

    await station.kill();
    await line.locator('section.station.offline[data-station="st-1"]').waitFor({ timeout: 30_000 });
    await screenshot(line, 'line-station-offline');
    await line.close();
    await admin.close();
  });

  test('a final outcome is not retried: retrying the provisioned device’s job is refused', async () => {
    const response = await fetch(`${stack.api.url}/v1/queue/jobs/${provisionedId}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const body = (await response.json()) as { code: string; detail: string };
    assert.equal(response.status, 409);
    assert.equal(body.code, 'QUEUE_JOB_NOT_RETRYABLE');
    assert.match(body.detail, /provisioned: a final outcome/);
  });

  test('the line stream: the Line page’s roles get events, others are refused; sign-out ends it', async () => {
    const url = `${stack.api.url}/v1/line/events`;
    for (const role of ['admin', 'mes', 'auditor'] as const) {
      const stream = await openEventStream(url, { authorization: `Bearer ${tokens[role]}` });
      assert.equal(stream.status, 200, role);
      assert.match(stream.contentType, /^text\/event-stream/);
      const text = await stream.readUntil((read) => read.includes('event: line\ndata: '));
      assert.ok(!text.includes(tokens[role]), 'no token in the stream');
      stream.close();
    }
    const stationToken = stack.catalog.stationTokens.get('st-1') ?? '';
    const station = await openEventStream(url, { authorization: `Bearer ${stationToken}` });
    assert.equal(station.status, 403, 'a station token may not watch the line');
    station.close();
    const none = await openEventStream(url, {});
    assert.equal(none.status, 401);
    none.close();

    const signIn = await fetch(`${stack.api.url}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: tokens.auditor }),
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? '';
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const stream = await openEventStream(url, { cookie });
    await stream.readUntil((read) => read.includes('event: line'));
    const out = await fetch(`${stack.api.url}/console/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(out.status, 204);
    await stream.readUntil((read) => read.includes('event: end'));
    stream.close();
  });

  test('sign-in page and signed-out state', async () => {
    const { page } = await openConsole(browser, stack.api.url);
    await page.locator('form input[name="token"]').waitFor();
    await screenshot(page, 'sign-in');
    await page.close();
  });
});
