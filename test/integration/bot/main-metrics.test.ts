// The metrics as the composition root wires them, in the real `patchwindow bot` process on its
// simulated cluster and web console, in real time: /metrics before anything happens, then a
// one-node window opened and approved through the console, until the node is counted done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../../support/cli-process.ts';
import type { CliProcess } from '../../support/cli-process.ts';
import { samplesOf, sampleValue } from '../../support/prometheus-text.ts';

let directory: string;
let bot: CliProcess | undefined;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'patchwindow-metrics-'));
});

afterEach(async () => {
  await bot?.kill();
  bot = undefined;
  rmSync(directory, { recursive: true, force: true });
});

/** Scrapes until `check` holds on the text (real time, polling, deadline), then returns that text. */
async function scrapeUntil(base: string, what: string, check: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    if (check(text)) return text;
    if (Date.now() > deadline) throw new Error(`${what} not observed on /metrics within ${timeoutMs} ms; last scrape:\n${text.split('\n').filter((line) => line.startsWith('patchwindow_') && !line.startsWith('patchwindow_process') && !line.startsWith('patchwindow_nodejs')).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function post(base: string, path: string, body: Record<string, string>): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

describe('patchwindow bot /metrics', () => {
  it('serves the bot state and counts a one-node window through to done', async () => {
    bot = startCli(['bot'], {
      cwd: directory,
      env: {
        PATCHWINDOW_HTTP_PORT: '0',
        PATCHWINDOW_LOG_FORMAT: 'json',
        PATCHWINDOW_DB: join(directory, 'p.db'),
        PATCHWINDOW_SIM_NODES: '2',
        PATCHWINDOW_SIM_PENDING: '1',
      },
    });
    const line = await bot.waitForLog((entry) => entry['msg'] === 'HTTP server listening');
    const base = `http://127.0.0.1:${String(line['port'])}`;

    // At start the bot posts its pending-nodes digest to the console: one delivered post.
    let text = await scrapeUntil(
      base,
      'the digest delivered',
      (scraped) => sampleValue(scraped, 'patchwindow_chat_api_calls_total', { platform: 'console', method: 'post' }) >= 1 && sampleValue(scraped, 'patchwindow_outbox_pending_messages') === 0,
      10_000,
    );
    expect(sampleValue(text, 'patchwindow_leader')).toBe(1);
    expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(1);
    expect(samplesOf(text, 'patchwindow_windows').map((sample) => sample.value)).toEqual([0, 0, 0, 0, 0, 0]);
    for (const result of ['done', 'stuck', 'skipped', 'failed']) expect(sampleValue(text, 'patchwindow_node_reboots_total', { result })).toBe(0);

    expect(await post(base, '/console/command', { as: 'alice', text: 'open 30m' })).toMatchObject({ ok: true });
    expect(await post(base, '/console/action', { as: 'bob', action: 'approve', value: '1' })).toMatchObject({ ok: true });
    text = await scrapeUntil(base, 'the node counted done', (scraped) => sampleValue(scraped, 'patchwindow_node_reboots_total', { result: 'done' }) === 1, 60_000);
    expect(sampleValue(text, 'patchwindow_node_drain_duration_seconds_count')).toBe(1);
    expect(sampleValue(text, 'patchwindow_node_reboot_duration_seconds_count')).toBe(1);
    // The simulated reboot takes 3 s down and 2 s to Ready.
    expect(sampleValue(text, 'patchwindow_node_reboot_duration_seconds_sum')).toBeGreaterThanOrEqual(4);

    text = await scrapeUntil(
      base,
      'the window closed and its messages delivered',
      (scraped) => samplesOf(scraped, 'patchwindow_windows').every((sample) => sample.value === 0) && sampleValue(scraped, 'patchwindow_outbox_pending_messages') === 0,
      30_000,
    );
    expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(0);
    expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'console', method: 'reply' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'console', method: 'update' })).toBeGreaterThan(0);
    expect(samplesOf(text, 'patchwindow_chat_api_errors_total').every((sample) => sample.value === 0)).toBe(true);
  }, 120_000);
});
