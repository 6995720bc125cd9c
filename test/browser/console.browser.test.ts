// The embedded default end to end, as a person would use it: the real bot (web console and
// simulated cluster) in headless Chromium. alice asks for a window, bob approves it, every
// pending node is rebooted in front of them, and kured is removed when the window closes.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.ts';
import type { CliProcess } from '../support/cli-process.ts';

const SCREENSHOT_DIRECTORY = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** Debian's chromium; browsers are never downloaded. */
const CHROMIUM = process.env['PATCHWINDOW_CHROMIUM'] ?? '/usr/bin/chromium';

let directory: string;
let bot: CliProcess;
let browser: Browser;
let base: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'patchwindow-browser-'));
  bot = startCli(['bot'], { cwd: directory, env: { PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LOG_FORMAT: 'json' } });
  const listening = await bot.waitForLog((line) => line['msg'] === 'HTTP server listening');
  base = `http://127.0.0.1:${String(listening['port'])}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser.close();
  await bot.kill();
  rmSync(directory, { recursive: true, force: true });
});

describe('the web console on the embedded defaults', () => {
  it('says at start that the cluster is simulated and where the console is', async () => {
    const banner = await bot.waitForLog((line) => typeof line['msg'] === 'string' && line['msg'].startsWith('SIMULATED CLUSTER'));
    expect(banner['level']).toBe('warn');
    const console = await bot.waitForLog((line) => line['url'] !== undefined);
    expect(console['url']).toBe(`${base}/`);
  });

  it('runs a window from request to removal of kured', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(`${base}/?as=alice`);
    await page.locator('#connection-status[data-state=live]').waitFor();

    await page.locator('#you-are').selectOption('alice');
    await page.locator('#command-input').fill('open 1h --reason "monthly patches"');
    await page.locator('#command-input').press('Enter');
    await expect.poll(() => page.locator('.private-note[data-user=alice][data-state=done] .private-note-text').last().textContent()).toMatch(/^Requested window #1/);

    const approve = page.locator('.message .actions button[data-action=approve]').first();
    await approve.waitFor();
    await page.locator('#you-are').selectOption('bob');
    await approve.click();
    await expect.poll(() => page.locator('.private-note[data-user=bob][data-state=done] .private-note-text').last().textContent()).toBe('You approved window #1.');

    // Every pending node is cordoned, drained, rebooted and uncordoned; the summary says kured is gone.
    const summary = page.locator('.thread-replies .message', { hasText: 'kured removed' });
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toContain('Window #1 closed (completed)');
    const live = page.locator('.message-group > .message', { hasText: 'Maintenance window #1' });
    await expect.poll(() => live.textContent()).toContain('4/4 done');
    expect(await page.locator('.message .actions button[data-action=approve]').count()).toBe(0);

    mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIRECTORY, 'console-window-done.png'), fullPage: true });
    await page.close();
  }, 180_000);
});
