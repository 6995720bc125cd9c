// Whole windows on the simulated cluster with the bot's metrics wired as in the composition root,
// scraped over the real /metrics route: node results match the stored progress (done, skipped,
// failed, stuck), every reboot has a drain and a reboot time, the gauges follow the window and the
// outbox back to 0, and every chat call (a failed one included) is counted once.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../../../../bot/adapters/http/health-routes.ts';
import { startHttpServer } from '../../../../../bot/adapters/http/http-server.ts';
import type { RunningHttpServer } from '../../../../../bot/adapters/http/http-server.ts';
import { Readiness } from '../../../../../bot/adapters/http/readiness.ts';
import type { SimulatedClusterOptions } from '../../../../../bot/adapters/cluster/simulated/simulation-options.ts';
import { createMetrics } from '../../../../../bot/adapters/metrics/create-metrics.ts';
import type { EngineSettings } from '../../../../../bot/core/engine/engine-settings.ts';
import type { NodeProgress } from '../../../../../bot/core/windows/node-progress.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';
import { ALICE, BOB, startEngineHarness, testSettings } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { windowState } from '../../../../support/engine-scenario.ts';
import { samplesOf, sampleValue } from '../../../../support/prometheus-text.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

interface Scraped {
  readonly h: EngineHarness;
  /** GET /metrics on the bot's HTTP route. */
  readonly scrape: () => Promise<string>;
}

async function start(simulation: SimulatedClusterOptions = {}, settings: EngineSettings = testSettings()): Promise<Scraped> {
  const metrics = createMetrics('0.0.0-test');
  const h = await startEngineHarness({ path: join(dirs.make(), 'p.db'), simulation, settings, metrics });
  cleanups.push(() => h.shutdown());
  const http: RunningHttpServer = await startHttpServer({ host: '127.0.0.1', port: 0, routes: healthRoutes(new Readiness(), metrics), logger: captureLogger().logger });
  cleanups.push(() => http.stop(0));
  return {
    h,
    scrape: async () => {
      const response = await fetch(`http://127.0.0.1:${http.port}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    },
  };
}

async function openApproved(h: EngineHarness, command: string): Promise<void> {
  expect(await h.engine.command(ALICE, command)).toMatchObject({ ok: true });
  expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
  await h.runUntil(async () => (await windowState(h, 1)) === 'open', 5_000);
}

const reboots = (text: string, result: string): number => sampleValue(text, 'patchwindow_node_reboots_total', { result });

function count(progress: readonly NodeProgress[], ...states: readonly string[]): number {
  return progress.filter((node) => states.includes(node.state)).length;
}

/** Chat calls the recording chat saw, by method, failed ones included. */
function callsSeen(h: EngineHarness, method: string): number {
  return h.chat.operations.filter((operation) => operation === method || operation === `${method}:failed`).length;
}

describe('metrics of a whole window on the simulated cluster', () => {
  it('count every rebooted node as done, time each drain and reboot, and follow the window and the outbox back to 0', async () => {
    const { h, scrape } = await start();
    let text = await scrape();
    expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(4);
    expect(samplesOf(text, 'patchwindow_windows').every((sample) => sample.value === 0)).toBe(true);
    expect(sampleValue(text, 'patchwindow_outbox_pending_messages')).toBe(0);

    // Queued but not yet delivered (the harness delivers when it steps).
    expect(await h.engine.command(ALICE, 'open 1h')).toMatchObject({ ok: true });
    text = await scrape();
    expect(sampleValue(text, 'patchwindow_windows', { state: 'requested' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_outbox_pending_messages')).toBeGreaterThan(0);

    expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
    // One delivery fails on the way: the outbox retries it.
    h.chat.failNext = 1;
    await h.runUntil(async () => (await windowState(h, 1)) === 'open', 5_000);
    text = await scrape();
    expect(sampleValue(text, 'patchwindow_windows', { state: 'open' })).toBe(1);
    expect(samplesOf(text, 'patchwindow_window_nodes').reduce((sum, sample) => sum + sample.value, 0)).toBe(4);

    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    await h.runUntil(async () => (await h.repositories.outbox.countPending()) === 0, 10_000);
    text = await scrape();

    const progress = await h.repositories.nodeProgress.list(1);
    expect(count(progress, 'done')).toBe(4);
    expect(reboots(text, 'done')).toBe(4);
    for (const result of ['stuck', 'skipped', 'failed']) expect(reboots(text, result)).toBe(0);
    for (const histogram of ['patchwindow_node_drain_duration_seconds', 'patchwindow_node_reboot_duration_seconds']) {
      expect(sampleValue(text, `${histogram}_count`), histogram).toBe(4);
      expect(sampleValue(text, `${histogram}_sum`), histogram).toBeGreaterThan(0);
    }
    // The sum of the drains is what the stored progress says: cordon to reboot, per node.
    const drained = progress.reduce((sum, node) => sum + ((node.rebootAt?.getTime() ?? NaN) - (node.startedAt?.getTime() ?? NaN)), 0) / 1000;
    expect(sampleValue(text, 'patchwindow_node_drain_duration_seconds_sum')).toBeCloseTo(drained, 6);
    // Simulated drains take seconds: every one is in a bucket, none in +Inf alone.
    expect(sampleValue(text, 'patchwindow_node_drain_duration_seconds_bucket', { le: '3600' })).toBe(4);

    expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(0);
    expect(samplesOf(text, 'patchwindow_windows').every((sample) => sample.value === 0)).toBe(true);
    expect(samplesOf(text, 'patchwindow_window_nodes').every((sample) => sample.value === 0)).toBe(true);
    expect(sampleValue(text, 'patchwindow_outbox_pending_messages')).toBe(0);

    for (const method of ['post', 'update', 'reply']) {
      expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'console', method }), method).toBe(callsSeen(h, method));
      expect(callsSeen(h, method), method).toBeGreaterThan(0);
    }
    const failedCalls = h.chat.operations.filter((operation) => operation.endsWith(':failed'));
    expect(failedCalls).toHaveLength(1);
    const failedMethod = failedCalls[0]?.replace(':failed', '') ?? '?';
    expect(sampleValue(text, 'patchwindow_chat_api_errors_total', { platform: 'console', method: failedMethod, retryable: 'true' })).toBe(1);
    expect(samplesOf(text, 'patchwindow_chat_api_errors_total').reduce((sum, sample) => sum + sample.value, 0)).toBe(1);
    expect(samplesOf(text, 'patchwindow_chat_api_retries_total').reduce((sum, sample) => sum + sample.value, 0)).toBe(1);
    expect(samplesOf(text, 'patchwindow_chat_messages_abandoned_total').reduce((sum, sample) => sum + sample.value, 0)).toBe(0);
  });

  it('count the nodes of a window that ended first as done, failed (mid-reboot) and skipped, once each', async () => {
    // Reboots take ~25 s each here: a one-minute window fits about two of the four nodes.
    const { h, scrape } = await start({ timings: { shutdownMs: 20_000 } });
    await openApproved(h, 'open 1m');
    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 5 * 60_000, 1000);
    const text = await scrape();

    const progress = await h.repositories.nodeProgress.list(1);
    expect(count(progress, 'skipped')).toBeGreaterThan(0);
    expect(count(progress, 'cordoned', 'draining', 'drain-blocked', 'rebooting', 'back')).toBeGreaterThan(0);
    expect(reboots(text, 'done')).toBe(count(progress, 'done'));
    expect(reboots(text, 'skipped')).toBe(count(progress, 'skipped'));
    expect(reboots(text, 'failed')).toBe(count(progress, 'cordoned', 'draining', 'drain-blocked', 'rebooting', 'back'));
    expect(reboots(text, 'stuck')).toBe(0);
    expect(['done', 'skipped', 'failed', 'stuck'].reduce((sum, result) => sum + reboots(text, result), 0)).toBe(progress.length);
    expect(sampleValue(text, 'patchwindow_node_reboot_duration_seconds_count')).toBe(count(progress, 'done'));
    // The skipped ones still need their reboot.
    expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(progress.length - count(progress, 'done'));

    // A later scrape, or steps after the close, count nothing twice.
    await h.step(60_000);
    const later = await scrape();
    for (const result of ['done', 'skipped', 'failed', 'stuck']) expect(reboots(later, result)).toBe(reboots(text, result));
  });

  it('count a node that never comes back as stuck when its window ends, and show it stuck while the window is open', async () => {
    const { h, scrape } = await start({ timings: { shutdownMs: 3_600_000 } }, testSettings({ progress: { notBackAfterMs: 60_000 } }));
    await openApproved(h, 'open 30m');
    await h.runUntil(async () => (await h.repositories.nodeProgress.list(1)).some((node) => node.state === 'stuck'), 5 * 60_000, 1000);
    let text = await scrape();
    expect(sampleValue(text, 'patchwindow_window_nodes', { state: 'stuck' })).toBe(1);
    expect(reboots(text, 'stuck')).toBe(0);
    expect(sampleValue(text, 'patchwindow_node_drain_duration_seconds_count')).toBe(1);
    expect(sampleValue(text, 'patchwindow_node_reboot_duration_seconds_count')).toBe(0);

    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 40 * 60_000, 10_000);
    text = await scrape();
    expect(reboots(text, 'stuck')).toBe(1);
    expect(reboots(text, 'skipped')).toBe(3);
    expect(reboots(text, 'done')).toBe(0);
    expect(reboots(text, 'failed')).toBe(0);
    expect(sampleValue(text, 'patchwindow_window_nodes', { state: 'stuck' })).toBe(0);
  });
});
