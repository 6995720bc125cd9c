// The whole flow on the simulated cluster: request, approval, kured deployed, every pending node
// cordoned, drained, rebooted and uncordoned, kured removed, and what chat saw.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { RebootDaemonSpec, RebootDaemonStatus } from '../../../../../bot/core/ports/cluster-port.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { messageText } from '../../../../support/recording-chat.ts';
import { ALICE, BOB, MALLORY, startEngineHarness, testSettings } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

/** The simulated cluster, whose daemon can lose part of its deployment until it is deployed again. */
class PartlyDeletedCluster extends SimulatedCluster {
  readonly deployed: number[] = [];
  missing: string | undefined;

  override async rebootDaemon(): Promise<RebootDaemonStatus> {
    const status = await super.rebootDaemon();
    return this.missing === undefined ? status : { ...status, incomplete: this.missing };
  }

  override deployRebootDaemon(spec: RebootDaemonSpec): Promise<void> {
    this.deployed.push(spec.windowId);
    this.missing = undefined;
    return super.deployRebootDaemon(spec);
  }
}

const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

async function harness(settings = testSettings()): Promise<EngineHarness> {
  const started = await startEngineHarness({ path: join(dirs.make(), 'p.db'), settings });
  harnesses.push(started);
  return started;
}

async function windowState(h: EngineHarness, id: number): Promise<string | undefined> {
  return (await h.repositories.windows.get(id))?.state;
}

describe('a maintenance window on the simulated cluster', () => {
  it('goes from request to closed, rebooting every pending node once, and says so in chat', async () => {
    const h = await harness();
    const pendingAtStart = (await h.cluster.nodes()).filter((node) => node.pendingReboot !== undefined).map((node) => node.name).sort();
    expect(pendingAtStart).toHaveLength(4);
    const bootIds = new Map((await h.cluster.nodes()).map((node) => [node.name, node.bootId]));

    const request = await h.engine.command(ALICE, 'open 1h --reason "kernel update"');
    expect(request).toEqual({ ok: true, text: expect.stringMatching(/^Requested window #1 \(Wed 2026-11-25 13:00 → 14:00 Europe\/Zurich\)/) as unknown });
    expect(await windowState(h, 1)).toBe('requested');

    expect(await h.engine.action(ALICE, 'approve', '1')).toEqual({ ok: false, text: 'refused: four-eyes: someone other than the requester must approve' });
    expect(await h.engine.action(MALLORY, 'approve', '1')).toMatchObject({ ok: false, text: expect.stringContaining('console:mallory is not an approver') as unknown });
    expect(await h.engine.action(BOB, 'approve', '1')).toEqual({ ok: true, text: 'You approved window #1.' });

    const took = await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    expect(took).toBeGreaterThan(0);

    const nodes = await h.cluster.nodes();
    for (const name of pendingAtStart) {
      const node = nodes.find((candidate) => candidate.name === name);
      expect(node?.pendingReboot, name).toBeUndefined();
      expect(node?.bootId, name).not.toBe(bootIds.get(name));
      expect(node?.unschedulable, name).toBe(false);
    }
    for (const node of nodes.filter((candidate) => !pendingAtStart.includes(candidate.name))) expect(node.bootId).toBe(bootIds.get(node.name));
    expect((await h.cluster.rebootDaemon()).present).toBe(false);

    const progress = await h.repositories.nodeProgress.list(1);
    expect(progress.map((node) => [node.node, node.state])).toEqual(pendingAtStart.map((name) => [name, 'done']));

    const live = h.chat.topLevel().find((message) => message.message.fallbackText.includes('window #1'));
    expect(live).toBeDefined();
    const text = messageText(live?.message ?? { fallbackText: '', blocks: [] });
    expect(text).toContain('closed');
    expect(text).toContain('4/4 done');
    expect(text).not.toContain('[Approve]');
    const replies = h.chat.repliesTo(live?.id ?? '');
    expect(replies[0]).toBe('👍 bob approved window #1.');
    expect(replies.some((reply) => reply.includes('drain blocked by PodDisruptionBudget shop/web'))).toBe(true);
    expect(replies.at(-1)).toMatch(/^🏁 Window #1 closed \(completed\)\. kured removed\./);

    const actions = (await h.repositories.audit.list({ subject: 'window:1', limit: 100 })).map((entry) => entry.action).reverse();
    expect(actions).toEqual([
      'window.requested',
      'window.decision-refused',
      'window.decision-refused',
      'window.approved',
      'window.scheduled',
      'window.opening',
      'window.opened',
      'window.closing',
      'window.closed',
    ]);
  });

  it('refuses an overlapping window and explains why', async () => {
    const h = await harness();
    await h.engine.command(ALICE, 'open 2h');
    const second = await h.engine.command(BOB, 'open 1h');
    expect(second.ok).toBe(false);
    expect(second.text).toMatch(/^overlaps window #1 \(.*requested\); close or cancel it first$/);
    expect(await h.repositories.windows.listRecent(10)).toHaveLength(1);
  });

  it('expires an unapproved request and never deploys kured', async () => {
    const h = await harness(testSettings({ approvals: { ...testSettings().approvals, requestTtlMs: 60_000 } }));
    await h.engine.command(ALICE, 'open 1h');
    await h.step(61_000);
    expect(await windowState(h, 1)).toBe('expired');
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    expect(await h.engine.action(BOB, 'approve', '1')).toEqual({ ok: false, text: 'refused: window #1 is expired; there is nothing to approve' });
  });

  it('pauses by holding the lock and resumes', async () => {
    const h = await harness();
    await h.engine.command(ALICE, 'open 1h');
    await h.engine.action(BOB, 'approve', '1');
    await h.runUntil(async () => (await windowState(h, 1)) === 'open', 5_000);
    expect(await h.engine.command(ALICE, 'pause')).toEqual({ ok: true, text: 'Paused window #1.' });
    expect((await h.cluster.readLock()).holders).toContain('patchwindow-pause/1');
    expect(await h.engine.command(ALICE, 'resume')).toEqual({ ok: true, text: 'Resumed window #1.' });
    expect((await h.cluster.readLock()).holders.some((holder) => holder.startsWith('patchwindow-pause'))).toBe(false);
  });

  it('closes early on command and removes kured', async () => {
    const h = await harness();
    await h.engine.command(ALICE, 'open 1h');
    await h.engine.action(BOB, 'approve', '1');
    await h.runUntil(async () => (await windowState(h, 1)) === 'open', 5_000);
    expect(await h.engine.command(BOB, 'close')).toEqual({ ok: true, text: 'Closing window #1.' });
    await h.step(250);
    expect(await windowState(h, 1)).toBe('closed');
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    expect((await h.repositories.windows.get(1))?.closeReason).toBe('closed-early');
  });

  it('deploys the open window again when part of its deployment is gone (a deleted safety-net Job)', async () => {
    const clock = new ManualClock('2026-11-25T12:00:00Z');
    const cluster = new PartlyDeletedCluster(clock, { seed: 1 });
    // Reconciled every 2 s here, so it happens well before the simulated nodes are all done.
    const h = await startEngineHarness({ path: join(dirs.make(), 'p.db'), clock, cluster, settings: testSettings({ reconcileEveryMs: 2000 }) });
    harnesses.push(h);
    expect((await h.engine.command(ALICE, 'open 1h')).ok).toBe(true);
    expect((await h.engine.action(BOB, 'approve', '1')).ok).toBe(true);
    await h.step(0);
    expect(await windowState(h, 1)).toBe('open');
    expect(cluster.deployed).toEqual([1]);
    cluster.missing = 'safety-net Job kured/patchwindow-reap-1';
    await h.step(3000);
    expect(cluster.deployed).toEqual([1, 1]);
    expect(cluster.missing).toBeUndefined();
    expect(await windowState(h, 1)).toBe('open');
  });

  it('removes a reboot daemon that runs outside any window', async () => {
    const h = await harness();
    const now = h.clock.now();
    await h.cluster.deployRebootDaemon({ windowId: 99, start: now, end: new Date(now.getTime() + 3_600_000), zone: 'UTC', concurrency: 1, nodeSelector: undefined });
    await h.step(61_000);
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    expect((await h.repositories.audit.list({ action: 'daemon.removed-orphan' })).length).toBe(1);
  });
});
