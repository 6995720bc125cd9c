// Nodes that do not finish in a window: the window's end comes first (left-over nodes are skipped
// and listed, kured removed, nothing new starts), or a node does not come back from its reboot
// (reported stuck once, in its thread and live message).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedClusterOptions } from '../../../../../bot/adapters/cluster/simulated/simulation-options.ts';
import type { EngineSettings } from '../../../../../bot/core/engine/engine-settings.ts';
import { ALICE, BOB, startEngineHarness, testSettings } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { auditActions, liveText, pendingNodes, threadOf, windowState } from '../../../../support/engine-scenario.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

async function harness(simulation: SimulatedClusterOptions, settings: EngineSettings = testSettings()): Promise<EngineHarness> {
  const started = await startEngineHarness({ path: join(dirs.make(), 'p.db'), simulation, settings });
  harnesses.push(started);
  return started;
}

async function openApproved(h: EngineHarness, command: string): Promise<void> {
  expect(await h.engine.command(ALICE, command)).toMatchObject({ ok: true });
  expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
  await h.runUntil(async () => (await windowState(h, 1)) === 'open', 5_000);
}

async function bootIds(h: EngineHarness): Promise<Map<string, string>> {
  return new Map((await h.cluster.nodes()).map((node) => [node.name, node.bootId]));
}

function summaryOf(h: EngineHarness): string {
  const summaries = threadOf(h.chat, 1).filter((reply) => reply.startsWith('🏁 Window #1 closed'));
  expect(summaries).toHaveLength(1);
  return summaries[0] ?? '';
}

describe('a window that ends before every node is done', () => {
  it('closes at its end, removes kured, lists the left-over nodes as skipped and starts no more reboots', async () => {
    // Reboots take ~25 s each here: a one-minute window fits about two of the four nodes.
    const h = await harness({ timings: { shutdownMs: 20_000 } });
    const before = await bootIds(h);
    await openApproved(h, 'open 1m');
    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 5 * 60_000, 1000);
    expect(threadOf(h.chat, 1)).toContain(
      '🚀 Opening window #1: 4 node(s) to reboot (sim-node-1, sim-node-3, sim-node-5, sim-node-6); about 40m 00s (10m 00s per node, default, no history yet); ⚠️ does not fit in the 1m 00s left: some nodes will be left for the next window.',
    );

    const window = await h.repositories.windows.get(1);
    expect(window).toMatchObject({ closeReason: 'ended' });
    expect(window?.closedAt?.getTime()).toBeGreaterThanOrEqual(window?.end.getTime() ?? Infinity);
    expect((await h.cluster.rebootDaemon()).present).toBe(false);

    const progress = await h.repositories.nodeProgress.list(1);
    const skipped = progress.filter((node) => node.state === 'skipped').map((node) => node.node);
    const done = progress.filter((node) => node.state === 'done').map((node) => node.node);
    expect(skipped.length).toBeGreaterThan(0);
    expect(done.length).toBeGreaterThan(0);
    // With seed 1: two done, one mid-reboot when the end came, one never started.
    expect(progress.map((node) => [node.node, node.state])).toEqual([
      ['sim-node-1', 'rebooting'],
      ['sim-node-3', 'skipped'],
      ['sim-node-5', 'done'],
      ['sim-node-6', 'done'],
    ]);

    const thread = threadOf(h.chat, 1);
    expect(thread.filter((reply) => reply === '🧹 Window #1 has reached its end; removing kured.')).toHaveLength(1);
    const summary = summaryOf(h).split('\n');
    expect(summary[0]).toBe('🏁 Window #1 closed (ended). kured removed.');
    for (const name of skipped) expect(summary).toContain(`⏭️ ${name}: left over, the window ended before its turn`);
    for (const name of done) expect(summary).toContainEqual(expect.stringMatching(new RegExp(`^✅ ${name}: rebooted in \\d+s$`)));
    expect(summary).toContain('⚠️ sim-node-1: left rebooting; it stays cordoned (kured is gone before it could uncordon it): check it, then `kubectl uncordon sim-node-1`');
    expect(liveText(h.chat, 1)).toContain('2/4 done');
    expect(liveText(h.chat, 1)).toContain('⏭️ sim-node-3: skipped');
    expect(await auditActions(h.repositories, 'window:1')).toEqual([
      'window.requested',
      'window.approved',
      'window.scheduled',
      'window.opening',
      'window.opened',
      'window.closing',
      'window.closed',
    ]);
    expect((await h.repositories.audit.list({ action: 'window.closed' }))[0]?.details).toMatchObject({ done: 2, nodes: 4 });

    // Nothing new starts after the end: the skipped nodes keep waiting, untouched, and the digest says so.
    await h.step(10 * 60_000);
    const after = await h.cluster.nodes();
    for (const name of skipped) {
      const node = after.find((candidate) => candidate.name === name);
      expect(node?.bootId, name).toBe(before.get(name));
      expect(node?.unschedulable, name).toBe(false);
      expect(node?.pendingReboot, name).toBeDefined();
    }
    expect(await pendingNodes(h)).toEqual(expect.arrayContaining(skipped));
    expect(h.chat.topLevel().at(-1)?.message.fallbackText).toMatch(/^🩹 \d node\(s\) need a reboot$/);
  });
});

describe('a node that does not come back from its reboot', () => {
  it('is reported stuck once, holds the lock so the others wait, and is listed when the window ends', async () => {
    const h = await harness({ timings: { shutdownMs: 3_600_000 } }, testSettings({ progress: { notBackAfterMs: 60_000 } }));
    const before = await bootIds(h);
    await openApproved(h, 'open 30m');
    await h.runUntil(async () => (await h.repositories.nodeProgress.list(1)).some((node) => node.state === 'stuck'), 5 * 60_000, 1000);

    const stuck = (await h.repositories.nodeProgress.list(1)).find((node) => node.state === 'stuck');
    const name = stuck?.node ?? '?';
    expect(stuck?.rebootAt).toBeDefined();
    expect(h.clock.now().getTime() - (stuck?.rebootAt?.getTime() ?? 0)).toBeGreaterThanOrEqual(60_000);
    await h.step(1000);
    expect(threadOf(h.chat, 1)).toContain(`⚠️ ${name} is not back after its reboot; check it`);
    expect(liveText(h.chat, 1)).toMatch(new RegExp(`⚠️ ${name}: not back for \\d+m \\d+s`));
    expect(liveText(h.chat, 1)).toContain('waiting for the reboot lock');
    expect((await h.cluster.readLock()).holders).toEqual([name]);

    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 40 * 60_000, 10_000);
    expect(threadOf(h.chat, 1).filter((reply) => reply.includes('is not back after its reboot'))).toEqual([`⚠️ ${name} is not back after its reboot; check it`]);
    expect((await h.repositories.windows.get(1))?.closeReason).toBe('ended');
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    const summary = summaryOf(h).split('\n');
    expect(summary).toContain(`⚠️ ${name}: left stuck; it stays cordoned (kured is gone before it could uncordon it): check it, then \`kubectl uncordon ${name}\``);
    const others = [...before.keys()].filter((node) => node !== name && ['sim-node-1', 'sim-node-3', 'sim-node-5', 'sim-node-6'].includes(node));
    for (const other of others) expect(summary).toContain(`⏭️ ${other}: left over, the window ended before its turn`);
    const after = await bootIds(h);
    for (const other of others) expect(after.get(other), other).toBe(before.get(other));
  });

  it('recovers from stuck to done when the node comes back late, and the window still completes', async () => {
    const h = await harness({ timings: { shutdownMs: 120_000 } }, testSettings({ progress: { notBackAfterMs: 60_000 } }));
    await openApproved(h, 'open 1h');
    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 30 * 60_000, 1000);

    expect((await h.repositories.windows.get(1))?.closeReason).toBe('completed');
    expect(await pendingNodes(h)).toEqual([]);
    const thread = threadOf(h.chat, 1);
    for (const name of ['sim-node-1', 'sim-node-3', 'sim-node-5', 'sim-node-6']) {
      expect(thread.filter((reply) => reply === `⚠️ ${name} is not back after its reboot; check it`), name).toHaveLength(1);
      expect(thread.filter((reply) => reply.startsWith(`🔙 ${name} is back`)), name).toHaveLength(1);
      expect(thread.filter((reply) => reply.startsWith(`✅ ${name} done in 2m`)), name).toHaveLength(1);
    }
    expect(liveText(h.chat, 1)).toContain('4/4 done');
  });
});
