// A stuck kured lock while a window is open: held past its TTL by a node that does not come back,
// or held by a node that was deleted. One alert per stuck acquisition (not per tick, not again
// after a restart) with a Release button; releasing is for approvers only, checked on the server,
// audited, and followed by a thread note; a late click says the lock is already free.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { RELEASE_LOCK_ACTION } from '../../../../../bot/core/cluster/stuck-lock-message.ts';
import type { MessageAction } from '../../../../../bot/core/ports/chat-port.ts';
import type { NodeSnapshot } from '../../../../../bot/core/ports/cluster-port.ts';
import { ALICE, BOB, MALLORY, startEngineHarness, testSettings } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { messageText, RecordingChat } from '../../../../support/recording-chat.ts';
import type { RecordedMessage } from '../../../../support/recording-chat.ts';
import { windowState } from '../../../../support/engine-scenario.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const MINUTE = 60_000;
const TTL_MS = 20 * MINUTE;
const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

/** The simulated cluster, where a node can be deleted (`kubectl delete node`): it leaves the node list, its lock entry stays. */
class ClusterWithDeletions extends SimulatedCluster {
  readonly #deleted = new Set<string>();
  readonly #listeners = new Set<(nodes: readonly NodeSnapshot[]) => void>();

  override async nodes(): Promise<NodeSnapshot[]> {
    return (await super.nodes()).filter((node) => !this.#deleted.has(node.name));
  }

  override watchNodes(listener: (nodes: readonly NodeSnapshot[]) => void): () => void {
    const filtered = (nodes: readonly NodeSnapshot[]): void => {
      listener(nodes.filter((node) => !this.#deleted.has(node.name)));
    };
    this.#listeners.add(filtered);
    const stop = super.watchNodes(filtered);
    return () => {
      this.#listeners.delete(filtered);
      stop();
    };
  }

  async deleteNode(name: string): Promise<void> {
    this.#deleted.add(name);
    const nodes = await super.nodes();
    for (const listener of this.#listeners) listener(nodes);
  }
}

interface Setup {
  readonly path: string;
  readonly clock: ManualClock;
  readonly cluster: ClusterWithDeletions;
  readonly chat: RecordingChat;
}

function setup(): Setup {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  // Reboots that take three hours: the first node holds kured's lock far past its TTL.
  const cluster = new ClusterWithDeletions(clock, { seed: 1, timings: { shutdownMs: 3 * 3_600_000 } });
  return { path: join(dirs.make(), 'p.db'), clock, cluster, chat: new RecordingChat() };
}

async function start(parts: Setup): Promise<EngineHarness> {
  const h = await startEngineHarness({ ...parts, settings: testSettings({ kuredLockTtlMs: TTL_MS }) });
  harnesses.push(h);
  return h;
}

async function openWindowWithHolder(h: EngineHarness, hours = 2): Promise<string> {
  expect(await h.engine.command(ALICE, `open ${hours}h`)).toMatchObject({ ok: true });
  expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
  await h.runUntil(async () => (await windowState(h, 1)) === 'open' && (await h.cluster.readLock()).holders.length > 0, 60_000);
  return (await h.cluster.readLock()).holders[0] ?? '';
}

function alerts(h: EngineHarness): RecordedMessage[] {
  return h.chat.topLevel().filter((message) => /kured's lock (is stuck|released|is free again)/.test(message.message.fallbackText));
}

function releaseButton(message: RecordedMessage | undefined): MessageAction | undefined {
  return message?.message.blocks.flatMap((block) => (block.kind === 'actions' ? block.actions : [])).find((action) => action.action === RELEASE_LOCK_ACTION);
}

async function lockAudit(h: EngineHarness, holder: string): Promise<{ actor: string; action: string; reason: unknown }[]> {
  const entries = await h.repositories.audit.list({ subject: `node:${holder}`, limit: 100 });
  return entries.reverse().map((entry) => ({ actor: entry.actor, action: entry.action, reason: entry.details['reason'] }));
}

describe('a lock held past its TTL', () => {
  it('is reported once with a Release button; only an approver releases it; the alert and its thread say so', async () => {
    const h = await start(setup());
    const holder = await openWindowWithHolder(h);
    const takenAt = (await h.cluster.readLock()).holdings[0]?.since;

    await h.step(TTL_MS - 2 * MINUTE);
    expect(alerts(h)).toEqual([]);
    await h.runUntil(() => alerts(h).length > 0, 5 * MINUTE, 10_000);
    // Many more ticks and node changes: still the one alert.
    for (let minute = 0; minute < 10; minute++) await h.step(MINUTE);
    expect(alerts(h)).toHaveLength(1);
    const alert = alerts(h)[0];
    const text = messageText(alert?.message ?? { fallbackText: '', blocks: [] });
    expect(text).toContain(`🔒 kured's lock is stuck (window #1)`);
    expect(text).toMatch(new RegExp(`kured's lock has been held by \\*${holder}\\* for 2\\d min, longer than its TTL of 20m\\.`));
    const button = releaseButton(alert);
    expect(button).toMatchObject({ label: 'Release', style: 'danger', value: `${holder}@${takenAt?.getTime() ?? ''}` });
    expect((await lockAudit(h, holder)).map((entry) => entry.action)).toEqual(['lock.stuck']);

    // Not an approver: refused whatever the button showed, audited, nothing released.
    expect(await h.engine.action(MALLORY, RELEASE_LOCK_ACTION, button?.value ?? '')).toEqual({
      ok: false,
      text: 'refused: console:mallory is not an approver; ask one of: console:alice, console:bob',
    });
    expect((await h.cluster.readLock()).holders).toEqual([holder]);

    // The requester may release it too: there is no four-eyes for a stuck lock.
    expect(await h.engine.action(ALICE, RELEASE_LOCK_ACTION, button?.value ?? '')).toEqual({ ok: true, text: `You released kured's lock held by ${holder}.` });
    expect((await h.cluster.readLock()).holders).not.toContain(holder);
    await h.step(1000);
    const released = alerts(h)[0];
    expect(alerts(h)).toHaveLength(1);
    expect(releaseButton(released)).toBeUndefined();
    expect(messageText(released?.message ?? { fallbackText: '', blocks: [] })).toMatch(/Released by alice at \d\d:\d\d\./);
    expect(h.chat.repliesTo(released?.id ?? '')).toEqual([
      `🔓 alice released kured's lock held by ${holder}; kured may now reboot the next node. If ${holder} comes back it stays cordoned: check it, then \`kubectl uncordon ${holder}\`.`,
    ]);

    // A late click (or a second approver) finds it free: nothing happens, and it says why.
    expect(await h.engine.action(BOB, RELEASE_LOCK_ACTION, button?.value ?? '')).toEqual({
      ok: false,
      text: `kured's lock is not held by ${holder} any more (not since that alert): it was already released, nothing to do.`,
    });
    expect(await lockAudit(h, holder)).toEqual([
      { actor: 'system', action: 'lock.stuck', reason: 'expired' },
      { actor: MALLORY.id, action: 'lock.release-refused', reason: 'console:mallory is not an approver; ask one of: console:alice, console:bob' },
      { actor: ALICE.id, action: 'lock.released', reason: 'expired' },
      { actor: BOB.id, action: 'lock.release-refused', reason: 'not held' },
    ]);

    // kured goes on: the next node takes the freed lock.
    await h.runUntil(async () => (await h.cluster.readLock()).holders.some((name) => name !== holder), 5 * MINUTE, 1000);
  });

  it('is not reported again after a restart, and a restarted bot still finds the alert to update on release', async () => {
    const parts = setup();
    const first = await start(parts);
    const holder = await openWindowWithHolder(first);
    await first.runUntil(() => alerts(first).length > 0, TTL_MS + 5 * MINUTE, 30_000);
    const value = releaseButton(alerts(first)[0])?.value ?? '';
    await first.shutdown();
    harnesses.splice(harnesses.indexOf(first), 1);

    const second = await start(parts);
    for (let minute = 0; minute < 5; minute++) await second.step(MINUTE);
    expect(alerts(second)).toHaveLength(1);
    expect(await second.engine.action(BOB, RELEASE_LOCK_ACTION, value)).toMatchObject({ ok: true });
    await second.step(1000);
    expect(alerts(second)).toHaveLength(1);
    expect(releaseButton(alerts(second)[0])).toBeUndefined();
    expect(second.chat.repliesTo(alerts(second)[0]?.id ?? '')).toHaveLength(1);
    expect((await lockAudit(second, holder)).map((entry) => entry.action)).toEqual(['lock.stuck', 'lock.released']);
  });

  it('a button for an earlier acquisition never frees a later one by the same node', async () => {
    const h = await start(setup());
    const holder = await openWindowWithHolder(h);
    await h.runUntil(() => alerts(h).length > 0, TTL_MS + 5 * MINUTE, 30_000);
    const value = releaseButton(alerts(h)[0])?.value ?? '';
    const earlier = `${holder}@${Number(value.split('@')[1]) - 1}`;
    expect(await h.engine.action(BOB, RELEASE_LOCK_ACTION, earlier)).toMatchObject({ ok: false, text: expect.stringContaining('already released') as unknown });
    expect((await h.cluster.readLock()).holders).toEqual([holder]);
  });
});

describe('a lock held by a deleted node', () => {
  it('is reported at once, and `release-lock <node>` frees it for an approver', async () => {
    const parts = setup();
    const h = await start(parts);
    const holder = await openWindowWithHolder(h);
    await parts.cluster.deleteNode(holder);
    await h.step(1000);
    expect(alerts(h)).toHaveLength(1);
    expect(messageText(alerts(h)[0]?.message ?? { fallbackText: '', blocks: [] })).toContain(
      `kured's lock is held by *${holder}*, which no longer exists in the cluster (for `,
    );

    expect(await h.engine.command(MALLORY, `release-lock ${holder}`)).toMatchObject({ ok: false, text: expect.stringContaining('is not an approver') as unknown });
    expect(await h.engine.command(BOB, `release-lock ${holder}`)).toEqual({ ok: true, text: `You released kured's lock held by ${holder}.` });
    await h.step(1000);
    expect(h.chat.repliesTo(alerts(h)[0]?.id ?? '')).toEqual([`🔓 bob released kured's lock held by ${holder}; kured may now reboot the next node.`]);
    expect(releaseButton(alerts(h)[0])).toBeUndefined();
    expect((await lockAudit(h, holder)).map((entry) => [entry.action, entry.reason])).toEqual([
      ['lock.stuck', 'holder-gone'],
      ['lock.release-refused', 'console:mallory is not an approver; ask one of: console:alice, console:bob'],
      ['lock.released', 'holder-gone'],
    ]);
    expect(await h.engine.command(BOB, `release-lock ${holder}`)).toEqual({ ok: false, text: `kured's lock is not held by ${holder} any more: it was already released, nothing to do.` });
  });
});

describe('what is not stuck', () => {
  it('a node within its TTL is not released by the command, and gets no alert', async () => {
    const h = await start(setup());
    const holder = await openWindowWithHolder(h);
    await h.step(5 * MINUTE);
    expect(await h.engine.command(ALICE, `release-lock ${holder}`)).toEqual({
      ok: false,
      text: `${holder} has held kured's lock for 5 min, within its TTL of 20m, and is a node of the cluster: it is not stuck, so patchwindow does not release it.`,
    });
    expect((await h.cluster.readLock()).holders).toEqual([holder]);
    expect(alerts(h)).toEqual([]);
  });

  it("patchwindow's own pause holds are never reported, however long the pause", async () => {
    const h = await start(setup());
    expect(await h.engine.command(ALICE, 'open 2h')).toMatchObject({ ok: true });
    expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
    await h.runUntil(async () => (await windowState(h, 1)) === 'open', 60_000, 50);
    // kured's pods first look 0.5–1.5 periods after the deploy: pause before any node takes the lock.
    expect((await h.cluster.readLock()).holders).toEqual([]);
    expect(await h.engine.command(ALICE, 'pause')).toMatchObject({ ok: true });
    expect((await h.cluster.readLock()).holders).toEqual(['patchwindow-pause/1']);
    for (let minute = 0; minute < 2 * TTL_MS / MINUTE; minute++) await h.step(MINUTE);
    expect(alerts(h)).toEqual([]);
    expect(await h.engine.command(ALICE, 'release-lock patchwindow-pause/1')).toEqual({
      ok: false,
      text: `patchwindow-pause/1 is patchwindow's own pause hold; "resume" gives it back`,
    });
    expect((await h.cluster.readLock()).holders).toEqual(['patchwindow-pause/1']);
  });

  it('a malformed Release value is an unknown action, refused and audited', async () => {
    const h = await start(setup());
    expect(await h.engine.action(BOB, RELEASE_LOCK_ACTION, 'node 3')).toEqual({ ok: false, text: 'unknown action' });
    expect((await h.repositories.audit.list({ action: 'action.refused' }))[0]?.details).toMatchObject({ action: RELEASE_LOCK_ACTION, reason: 'unknown action' });
  });
});
