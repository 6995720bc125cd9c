// The window commands through the engine's chat entry points (command and action): what they
// answer, what they store and audit, and what they make the simulated cluster do. (The CLI's own
// path to these commands is tested elsewhere.)
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, MALLORY, startEngineHarness, testSettings } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { auditActions, liveText, pendingNodes, threadOf, windowState } from '../../../../support/engine-scenario.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

// The harness starts at 2026-11-25T12:00:00Z (13:00 in Zurich); sim-node-1, -3, -5 and -6 need a reboot.
const PENDING = ['sim-node-1', 'sim-node-3', 'sim-node-5', 'sim-node-6'];

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

/** alice asks for `command`, bob approves it, and the window (#id) is open. */
async function openApproved(h: EngineHarness, command: string, id = 1): Promise<void> {
  expect(await h.engine.command(ALICE, command)).toMatchObject({ ok: true });
  expect(await h.engine.action(BOB, 'approve', String(id))).toEqual({ ok: true, text: `You approved window #${id}.` });
  await h.runUntil(async () => (await windowState(h, id)) === 'open', 5_000);
}

async function bootIds(h: EngineHarness): Promise<Map<string, string>> {
  return new Map((await h.cluster.nodes()).map((node) => [node.name, node.bootId]));
}

describe('status, nodes and history', () => {
  it('answer from the store and the cluster before, during and after a window', async () => {
    const h = await harness();
    expect(await h.engine.command(ALICE, 'status')).toEqual({
      ok: true,
      text: [
        'No window is open or planned.',
        '4 node(s) need a reboot: sim-node-1, sim-node-3, sim-node-5, sim-node-6 (say "nodes" for details)',
        'Reboot daemon: not deployed',
        'Cluster: simulated cluster, 6 nodes',
      ].join('\n'),
    });
    expect(await h.engine.command(ALICE, 'history')).toEqual({ ok: true, text: 'No windows yet.' });
    const nodes = await h.engine.command(ALICE, 'nodes');
    expect(nodes.ok).toBe(true);
    expect(nodes.text.split('\n')).toEqual([
      'sim-node-1: Ready; needs a reboot since 2026-11-22 12:00 UTC for linux-image-6.1.0-28-amd64, libssl3',
      'sim-node-2: Ready',
      'sim-node-3: Ready; needs a reboot since 2026-11-24 08:00 UTC for linux-image-6.1.0-28-amd64, linux-firmware',
      'sim-node-4: Ready',
      'sim-node-5: Ready; needs a reboot since 2026-11-25 00:00 UTC for linux-image-6.1.0-28-amd64',
      'sim-node-6: Ready; needs a reboot since 2026-11-25 09:00 UTC for openssl, libssl3',
    ]);

    await h.engine.command(ALICE, 'open 1h --reason "kernel update"');
    expect((await h.engine.command(BOB, 'status')).text).toMatch(/^Window #1 requested: Wed 2026-11-25 13:00 → 14:00 Europe\/Zurich\n/);
    await h.engine.action(BOB, 'approve', '1');
    // Mid-window: a node is down for its reboot, one is done.
    await h.runUntil(async () => (await h.repositories.nodeProgress.list(1)).some((node) => node.state === 'done'), 60_000);
    await h.runUntil(async () => (await h.cluster.nodes()).some((node) => !node.ready), 60_000);
    const status = (await h.engine.command(BOB, 'status')).text.split('\n');
    expect(status[0]).toBe('Window #1 open: Wed 2026-11-25 13:00 → 14:00 Europe/Zurich · 1/4 done');
    expect(status[1]).toMatch(/^3 node\(s\) need a reboot: /);
    expect(status[2]).toBe('Reboot daemon: deployed for window #1');
    const down = (await h.cluster.nodes()).find((node) => !node.ready);
    expect((await h.engine.command(BOB, 'nodes')).text).toContain(`${down?.name ?? '?'}: NotReady, cordoned`);

    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    expect((await h.engine.command(BOB, 'status')).text).toBe(
      ['No window is open or planned.', 'No node needs a reboot.', 'Reboot daemon: not deployed', 'Cluster: simulated cluster, 6 nodes'].join('\n'),
    );
    expect((await h.engine.command(BOB, 'nodes')).text.split('\n')).toEqual(['1', '2', '3', '4', '5', '6'].map((n) => `sim-node-${n}: Ready`));

    await h.engine.command(ALICE, 'open 2h at 2026-11-26 14:00');
    await h.engine.command(ALICE, 'cancel 2');
    const history = await h.engine.command(BOB, 'history');
    expect(history.ok).toBe(true);
    const [newest, oldest, ...more] = history.text.split('\n');
    expect(more).toEqual([]);
    expect(newest).toBe('#2 cancelled: Thu 2026-11-26 14:00 → 16:00 Europe/Zurich · cancelled by console:alice');
    expect(oldest).toMatch(/^#1 closed: Wed 2026-11-25 13:00 → 14:00 Europe\/Zurich · 4\/4 rebooted, \d+s per node$/);
    expect((await h.engine.command(BOB, 'history 1')).text).toBe(newest);
  });
});

describe('deciding on a request', () => {
  it('cancels a requested window: stored, said in its thread, audited, and its time is free again', async () => {
    const h = await harness();
    await h.engine.command(ALICE, 'open 2h');
    expect(await h.engine.command(ALICE, 'cancel 1')).toEqual({ ok: true, text: 'Cancelled window #1.' });
    expect(await h.repositories.windows.get(1)).toMatchObject({ state: 'cancelled', note: 'cancelled by console:alice' });
    await h.step(1000);
    expect(threadOf(h.chat, 1)).toEqual(['🚫 alice cancelled window #1.']);
    expect(liveText(h.chat, 1)).not.toContain('[Approve]');
    expect(await h.engine.action(BOB, 'approve', '1')).toEqual({ ok: false, text: 'refused: window #1 is cancelled; there is nothing to approve' });
    expect(await h.engine.command(ALICE, 'cancel 1')).toEqual({ ok: false, text: 'window #1 is cancelled; it cannot be cancelled' });
    expect(await auditActions(h.repositories, 'window:1')).toEqual(['window.requested', 'window.cancelled', 'window.decision-refused']);
    expect(await h.engine.command(BOB, 'open 1h')).toMatchObject({ ok: true, text: expect.stringMatching(/^Requested window #2 /) as unknown });
  });

  it('refuses to cancel an open window and points at close', async () => {
    const h = await harness();
    await openApproved(h, 'open 1h');
    expect(await h.engine.command(ALICE, 'cancel 1')).toEqual({ ok: false, text: 'window #1 is open; use "close 1"' });
    expect(await windowState(h, 1)).toBe('open');
  });

  it('lets another approver reject a request', async () => {
    const h = await harness();
    await h.engine.command(ALICE, 'open 1h');
    expect(await h.engine.command(BOB, 'reject 1')).toEqual({ ok: true, text: 'You rejected window #1.' });
    expect(await h.repositories.windows.get(1)).toMatchObject({ state: 'rejected', decidedBy: BOB.id, note: 'rejected by console:bob' });
    await h.step(1000);
    expect(threadOf(h.chat, 1)).toEqual(['❌ bob rejected window #1.']);
    expect(liveText(h.chat, 1)).toContain('Rejected by console:bob');
    expect(liveText(h.chat, 1)).not.toContain('[Approve]');
    const [entry] = await h.repositories.audit.list({ action: 'window.rejected' });
    expect(entry).toMatchObject({ actor: BOB.id, subject: 'window:1', details: { state: 'rejected', surface: 'command' } });
    await h.step(3 * 3_600_000);
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    expect(await pendingNodes(h)).toEqual(PENDING);
  });

  it('with four-eyes off, lets the requester approve their own request, and the card does not say otherwise', async () => {
    const h = await harness(testSettings({ approvals: { ...testSettings().approvals, fourEyes: false } }));
    await h.engine.command(ALICE, 'open 1h');
    await h.step(0);
    expect(liveText(h.chat, 1)).toContain('Needs approval by an approver; the request expires');
    expect(liveText(h.chat, 1)).not.toContain('other than the requester');
    expect((await h.engine.action(ALICE, 'approve', '1')).ok).toBe(true);
    expect(await windowState(h, 1)).not.toBe('requested');
  });

  it('lets the requester withdraw (reject) their own request, though not approve it', async () => {
    const h = await harness();
    await h.engine.command(ALICE, 'open 1h');
    expect(await h.engine.action(ALICE, 'approve', '1')).toEqual({ ok: false, text: 'refused: four-eyes: someone other than the requester must approve' });
    expect(await h.engine.action(ALICE, 'reject', '1')).toEqual({ ok: true, text: 'You rejected window #1.' });
    expect(await h.repositories.windows.get(1)).toMatchObject({ state: 'rejected', decidedBy: ALICE.id });
    const audit = await h.repositories.audit.list({ subject: 'window:1' });
    expect(audit.map((entry) => [entry.action, entry.actor, entry.details['surface']]).reverse()).toEqual([
      ['window.requested', ALICE.id, undefined],
      ['window.decision-refused', ALICE.id, 'button'],
      ['window.rejected', ALICE.id, 'button'],
    ]);
  });

  it('refuses a reject from someone who is not an approver, and audits it', async () => {
    const h = await harness();
    await h.engine.command(ALICE, 'open 1h');
    expect(await h.engine.action(MALLORY, 'reject', '1')).toMatchObject({ ok: false, text: expect.stringContaining('console:mallory is not an approver') as unknown });
    expect(await windowState(h, 1)).toBe('requested');
    const [refusal] = await h.repositories.audit.list({ action: 'window.decision-refused' });
    expect(refusal).toMatchObject({ actor: MALLORY.id, subject: 'window:1', details: { decision: 'reject', surface: 'button' } });
  });

  it('refuses to approve a window that does not exist, and audits the attempt', async () => {
    const h = await harness();
    expect(await h.engine.action(BOB, 'approve', '42')).toEqual({ ok: false, text: 'no window #42' });
    expect(await h.engine.command(BOB, 'approve 43')).toEqual({ ok: false, text: 'no window #43' });
    const refusals = await h.repositories.audit.list({ action: 'window.decision-refused' });
    expect(refusals.map((entry) => [entry.actor, entry.subject, entry.details]).reverse()).toEqual([
      [BOB.id, 'window:42', { decision: 'approve', reason: 'no such window', surface: 'button' }],
      [BOB.id, 'window:43', { decision: 'approve', reason: 'no such window', surface: 'command' }],
    ]);
    expect(await h.repositories.windows.listRecent(10)).toEqual([]);
  });
});

describe('open', () => {
  it('refuses what it cannot do, stores nothing and says why', async () => {
    const h = await harness();
    const audited = (await h.repositories.audit.list()).length;
    expect(await h.engine.command(ALICE, 'open 1h --concurrency 9')).toEqual({ ok: false, text: '--concurrency 9 is above the configured maximum of 5' });
    expect(await h.engine.command(ALICE, 'open 2h at 2026-11-25T10:00:00Z')).toEqual({ ok: false, text: '2026-11-25T10:00:00.000Z is in the past; give a later start' });
    expect(await h.engine.command(ALICE, 'open 2h at 2026-11-25 08:00')).toEqual({ ok: false, text: '2026-11-25T07:00:00.000Z is in the past; give a later start' });
    const tooLong = await h.engine.command(ALICE, 'open 8d');
    expect(tooLong.ok).toBe(false);
    expect(tooLong.text).toContain('at most 7d');
    expect(await h.repositories.windows.listRecent(10)).toEqual([]);
    expect((await h.repositories.audit.list()).length).toBe(audited);
    // The limits themselves are fine.
    expect(await h.engine.command(ALICE, 'open 7d --concurrency 5')).toMatchObject({ ok: true });
  });

  it('refuses a window that overlaps a blackout, and accepts it once the blackout is gone', async () => {
    const h = await harness();
    expect((await h.engine.command(ALICE, 'skip 2026-11-25 freeze')).ok).toBe(true);
    expect(await h.engine.command(ALICE, 'open 1h')).toEqual({
      ok: false,
      text: 'overlaps blackout #1 2026-11-25 Europe/Zurich (freeze); remove it with "unskip 1" first',
    });
    expect(await h.repositories.windows.listRecent(10)).toEqual([]);
    expect((await h.engine.command(ALICE, 'unskip 1')).ok).toBe(true);
    expect((await h.engine.command(ALICE, 'open 1h')).ok).toBe(true);
  });

  it('with --nodes, reboots only the matching pending nodes', async () => {
    const h = await harness();
    const before = await bootIds(h);
    // Zone sim-a holds sim-node-1 (pending) and sim-node-4 (not pending).
    await openApproved(h, 'open 1h --nodes "topology.kubernetes.io/zone=sim-a"');
    expect(await h.repositories.windows.get(1)).toMatchObject({ nodeSelector: 'topology.kubernetes.io/zone=sim-a' });
    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);

    expect((await h.repositories.windows.get(1))?.closeReason).toBe('completed');
    expect((await h.repositories.nodeProgress.list(1)).map((node) => [node.node, node.state])).toEqual([['sim-node-1', 'done']]);
    const after = await bootIds(h);
    for (const [name, bootId] of before) expect(after.get(name) !== bootId, `${name} rebooted`).toBe(name === 'sim-node-1');
    expect(await pendingNodes(h)).toEqual(['sim-node-3', 'sim-node-5', 'sim-node-6']);
    expect((await h.cluster.nodes()).every((node) => !node.unschedulable)).toBe(true);
    expect(threadOf(h.chat, 1)).toContain('🚀 Opening window #1: 1 node(s) to reboot (sim-node-1); about 10m 00s (10m 00s per node, default, no history yet); fits in the 1h 00m left.');
    expect(liveText(h.chat, 1)).toContain('nodes `topology.kubernetes.io/zone=sim-a`');
  });

  it('with --concurrency 2, lets two nodes reboot at once and never more', async () => {
    const h = await harness();
    await openApproved(h, 'open 1h --concurrency 2');
    expect(await h.repositories.windows.get(1)).toMatchObject({ concurrency: 2 });
    let mostHolders = 0;
    let mostBusy = 0;
    await h.runUntil(
      async () => {
        const lock = await h.cluster.readLock();
        // Once kured is removed there is no lock (readLock reports an empty one-slot lock).
        if ((await h.cluster.rebootDaemon()).present) expect(lock.maxOwners).toBe(2);
        mostHolders = Math.max(mostHolders, lock.holders.length);
        const busy = (await h.cluster.nodes()).filter((node) => node.unschedulable || !node.ready).length;
        mostBusy = Math.max(mostBusy, busy);
        return (await windowState(h, 1)) === 'closed';
      },
      10 * 60_000,
    );
    expect(mostHolders).toBe(2);
    expect(mostBusy).toBe(2);
    expect(await pendingNodes(h)).toEqual([]);
    expect(threadOf(h.chat, 1)).toContain('🚀 kured deployed for window #1 (concurrency 2).');
  });
});

describe('sim commands', () => {
  it('sim pending makes a node need a reboot, and an open window takes it in', async () => {
    const h = await harness();
    await openApproved(h, 'open 1h');
    expect(await h.engine.command(ALICE, 'sim pending sim-node-2 openssl')).toEqual({ ok: true, text: 'sim-node-2 now needs a reboot (simulated).' });
    const [node2] = (await h.cluster.nodes()).filter((node) => node.name === 'sim-node-2');
    expect(node2?.pendingReboot?.packages).toEqual(['openssl']);
    expect((await h.repositories.audit.list({ action: 'sim.pending' }))[0]).toMatchObject({ actor: ALICE.id, subject: 'node:sim-node-2' });

    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    const thread = threadOf(h.chat, 1);
    expect(thread.filter((reply) => reply === '➕ sim-node-2 needs a reboot too; it joins window #1.')).toHaveLength(1);
    expect(thread.some((reply) => reply.startsWith('✅ sim-node-2 done'))).toBe(true);
    expect((await h.repositories.nodeProgress.list(1)).map((node) => [node.node, node.state])).toEqual(
      ['sim-node-1', 'sim-node-2', 'sim-node-3', 'sim-node-5', 'sim-node-6'].map((name) => [name, 'done']),
    );
    expect(liveText(h.chat, 1)).toContain('5/5 done');
    expect(await pendingNodes(h)).toEqual([]);
  });

  it('sim pending names an unknown node: refused, nothing audited', async () => {
    const h = await harness();
    expect(await h.engine.command(ALICE, 'sim pending sim-node-9')).toEqual({
      ok: false,
      text: 'no node named "sim-node-9" in the simulated cluster; nodes: sim-node-1, sim-node-2, sim-node-3, sim-node-4, sim-node-5, sim-node-6',
    });
    expect(await h.repositories.audit.list({ action: 'sim.pending' })).toEqual([]);
  });

  it('sim reset brings the starting state back after a window rebooted everything', async () => {
    const h = await harness();
    const initial = await h.cluster.nodes();
    await openApproved(h, 'open 1h');
    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    expect(await pendingNodes(h)).toEqual([]);

    expect(await h.engine.command(BOB, 'sim reset')).toEqual({ ok: true, text: 'The simulated cluster is back to its starting state.' });
    expect(await pendingNodes(h)).toEqual(PENDING);
    expect((await h.cluster.nodes()).map((node) => [node.name, node.bootId])).toEqual(initial.map((node) => [node.name, node.bootId]));
    expect((await h.repositories.audit.list({ action: 'sim.reset' }))[0]).toMatchObject({ actor: BOB.id });
    await h.step(1000);
    expect((await h.engine.command(BOB, 'status')).text).toContain('4 node(s) need a reboot: sim-node-1, sim-node-3, sim-node-5, sim-node-6');
    // The digest notices the nodes waiting again.
    expect(h.chat.topLevel().at(-1)?.message.fallbackText).toBe('🩹 4 node(s) need a reboot');
  });
});
