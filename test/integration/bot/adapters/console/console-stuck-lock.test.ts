// A stuck kured lock in the web console: the real engine posts the alert through the outbox into
// the console channel, the page gets it (with its Release button) from /console/state, and a
// click posted to /console/action as the page sends it releases the lock for an approver only.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { ConsoleChannel } from '../../../../../bot/adapters/console/console-channel.ts';
import type { ConsoleMessage } from '../../../../../bot/adapters/console/console-channel.ts';
import { consoleRoutes } from '../../../../../bot/adapters/console/console-routes.ts';
import { startHttpServer } from '../../../../../bot/adapters/http/http-server.ts';
import type { EngineLog } from '../../../../../bot/core/engine/engine-log.ts';
import { MaintenanceEngine } from '../../../../../bot/core/engine/maintenance-engine.ts';
import { OutboxDispatcher } from '../../../../../bot/core/outbox/outbox-dispatcher.ts';
import type { MessageAction } from '../../../../../bot/core/ports/chat-port.ts';
import { openStore } from '../../../../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../../../../storage/sqlite-repositories.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';
import { ALICE, BOB, testSettings } from '../../../../support/engine-harness.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { stepping } from '../../../../support/stepping.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const MINUTE = 60_000;
const dirs = tempDirs();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

async function startConsoleBot(): Promise<{ base: string; cluster: SimulatedCluster; engine: MaintenanceEngine; step: (ms: number) => Promise<void>; runUntil: ReturnType<typeof stepping>['runUntil'] }> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const store = await openStore(join(dirs.make(), 'p.db'), { now: () => clock.now() });
  cleanups.push(() => store.close());
  const repositories = repositoriesOn(store.database);
  // Reboots that take three hours: the first node holds kured's lock past its TTL.
  const cluster = new SimulatedCluster(clock, { seed: 1, timings: { shutdownMs: 3 * 3_600_000 } });
  const logs: string[] = [];
  const log: EngineLog = { info: (message) => logs.push(message), warn: (message) => logs.push(message), error: (message) => logs.push(message) };
  const channel = new ConsoleChannel({ now: () => clock.now() });
  const engine = new MaintenanceEngine({
    repositories,
    transactions: new SqliteTransactions(store.database),
    cluster,
    clock,
    settings: testSettings({ kuredLockTtlMs: 20 * MINUTE }),
    log,
    simulation: cluster,
    outboxChanged: () => undefined,
  });
  cleanups.push(() => engine.stop());
  const dispatcher = new OutboxDispatcher({ outbox: repositories.outbox, chat: channel, clock, log, minUpdateIntervalMs: 1000, maxBackoffMs: 60_000 });
  const { logger } = captureLogger('debug');
  const routes = consoleRoutes({ channel, inbound: engine, users: ['alice', 'bob', 'carol'], token: undefined, logger });
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, routes: routes.routes, logger });
  cleanups.push(async () => {
    routes.close();
    await server.stop(1000);
  });
  cluster.advanceTo(clock.now());
  await engine.start();
  return { base: `http://127.0.0.1:${server.port}`, cluster, engine, ...stepping({ clock, cluster, engine, dispatcher, logs }) };
}

async function messages(base: string): Promise<ConsoleMessage[]> {
  const response = await fetch(`${base}/console/state`);
  return ((await response.json()) as { messages: ConsoleMessage[] }).messages;
}

async function alert(base: string): Promise<ConsoleMessage | undefined> {
  return (await messages(base)).find((message) => message.threadId === null && /kured's lock (is stuck|released)/.test(message.fallbackText));
}

function releaseButton(message: ConsoleMessage | undefined): MessageAction | undefined {
  return message?.blocks.flatMap((block) => (block.kind === 'actions' ? block.actions : [])).find((action) => action.action === 'release-lock');
}

async function click(base: string, as: string, action: MessageAction): Promise<unknown> {
  // What console.js sends for a button.
  const response = await fetch(`${base}/console/action`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ as, action: action.action, value: action.value }) });
  expect(response.status).toBe(200);
  return response.json();
}

describe('a stuck lock in the web console', () => {
  it('shows the alert with its Release button, and the button releases for an approver only', async () => {
    const { base, cluster, engine, runUntil, step } = await startConsoleBot();
    expect(await engine.command(ALICE, 'open 2h')).toMatchObject({ ok: true });
    expect(await engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
    let found: ConsoleMessage | undefined;
    await runUntil(async () => (found = await alert(base)) !== undefined, 30 * MINUTE, 30_000);
    const holder = (await cluster.readLock()).holders[0] ?? '';
    const button = releaseButton(found);
    expect(button).toMatchObject({ label: 'Release', style: 'danger', confirm: expect.stringContaining(`Release kured's lock held by ${holder}?`) as unknown });

    expect(await click(base, 'carol', button ?? { action: '', label: '', style: 'default', value: '' })).toEqual({
      ok: false,
      text: 'refused: console:carol is not an approver; ask one of: console:alice, console:bob',
    });
    expect((await cluster.readLock()).holders).toEqual([holder]);
    expect(await click(base, 'bob', button ?? { action: '', label: '', style: 'default', value: '' })).toEqual({ ok: true, text: `You released kured's lock held by ${holder}.` });
    expect((await cluster.readLock()).holders).not.toContain(holder);

    await step(1000);
    const released = await alert(base);
    expect(released?.id).toBe(found?.id);
    expect(releaseButton(released)).toBeUndefined();
    expect(released?.fallbackText).toContain("kured's lock released (window #1)");
    const thread = (await messages(base)).filter((message) => message.threadId === found?.id).map((message) => message.fallbackText);
    expect(thread).toEqual([expect.stringContaining(`bob released kured's lock held by ${holder}`) as unknown]);
  });
});
