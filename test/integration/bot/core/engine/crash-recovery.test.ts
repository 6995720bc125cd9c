// A crash after any persisted transition resumes correctly: the happy path (alice opens 1h, bob
// approves, every pending node reboots, the window closes) is run once to count its committed
// transactions (N); then, for every k in 1..N, a bot that dies right after its k-th commit (or
// just before its (k+1)-th) is replaced by a new bot on the same database, with the same clock,
// cluster and chat, which must finish the job without rebooting twice, posting twice or auditing
// a transition twice.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { CrashError, crashingStorage } from '../../../../support/crash-storage.ts';
import type { CrashingStorage, CrashMode } from '../../../../support/crash-storage.ts';
import { ALICE, BOB, startEngineHarness } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { messageText, RecordingChat } from '../../../../support/recording-chat.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const START = '2026-11-25T12:00:00Z';
const STEP_MS = 250;
const MAX_SIMULATED_MS = 10 * 60_000;
const TRANSITIONS = ['window.requested', 'window.approved', 'window.scheduled', 'window.opening', 'window.opened', 'window.closing', 'window.closed'];

const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

/** What outlives the bot: time, the cluster (with a record of every reboot) and the channel. */
interface World {
  readonly path: string;
  readonly clock: ManualClock;
  readonly cluster: SimulatedCluster;
  readonly chat: RecordingChat;
  readonly pendingAtStart: readonly string[];
  /** How often each node's boot id changed, over the whole run. */
  readonly reboots: Map<string, number>;
}

async function newWorld(): Promise<World> {
  const clock = new ManualClock(START);
  const cluster = new SimulatedCluster(clock, { seed: 1 });
  const nodes = await cluster.nodes();
  const bootIds = new Map(nodes.map((node) => [node.name, node.bootId]));
  const reboots = new Map(nodes.map((node) => [node.name, 0]));
  // Never unsubscribed: the cluster lives only as long as the test.
  cluster.watchNodes((current) => {
    for (const node of current) {
      if (bootIds.get(node.name) === node.bootId) continue;
      bootIds.set(node.name, node.bootId);
      reboots.set(node.name, (reboots.get(node.name) ?? 0) + 1);
    }
  });
  return {
    path: join(dirs.make(), 'p.db'),
    clock,
    cluster,
    chat: new RecordingChat(),
    pendingAtStart: nodes.filter((node) => node.pendingReboot !== undefined).map((node) => node.name).sort(),
    reboots,
  };
}

async function startBot(world: World, storage?: CrashingStorage): Promise<EngineHarness> {
  const harness = await startEngineHarness({
    path: world.path,
    clock: world.clock,
    cluster: world.cluster,
    chat: world.chat,
    wrapTransactions: storage?.wrapTransactions,
    wrapRepositories: storage?.wrapRepositories,
  });
  harnesses.push(harness);
  return harness;
}

async function windowState(harness: EngineHarness): Promise<string | undefined> {
  return (await harness.repositories.windows.get(1))?.state;
}

/** The happy path once, counting the transactions committed from the bot's start until window #1 is closed. */
async function countHappyPathTransactions(): Promise<number> {
  const world = await newWorld();
  const storage = crashingStorage();
  const bot = await startBot(world, storage);
  // Also runs at collection, outside any test: plain errors rather than expect().
  const replies = [await bot.engine.command(ALICE, 'open 1h'), await bot.engine.action(BOB, 'approve', '1')];
  if (replies.some((reply) => !reply.ok)) throw new Error(`the happy path was refused: ${JSON.stringify(replies)}`);
  await bot.runUntil(async () => (await windowState(bot)) === 'closed', MAX_SIMULATED_MS, STEP_MS);
  const committed = storage.committed;
  await bot.shutdown();
  dirs.removeAll();
  return committed;
}

/** Runs `work`; once the process is dead, whatever it throws is the crash (and must be a CrashError). */
async function whileAlive(storage: CrashingStorage, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error: unknown) {
    if (!storage.crashed) throw error;
    expect(error).toBeInstanceOf(CrashError);
  }
}

/**
 * The scenario on a bot that dies as `storage` says; returns once it is dead (or, when the crash
 * point lies after its last transaction, once the window is closed) and its database is released.
 */
async function runUntilCrash(world: World, storage: CrashingStorage): Promise<void> {
  let bot: EngineHarness | undefined;
  await whileAlive(storage, async () => {
    bot = await startBot(world, storage);
  });
  const dying = bot;
  if (dying === undefined) return;
  await whileAlive(storage, () => dying.engine.command(ALICE, 'open 1h'));
  if (!storage.crashed) await whileAlive(storage, () => dying.engine.action(BOB, 'approve', '1'));
  for (let elapsed = 0; !storage.crashed && (await windowState(dying)) !== 'closed'; elapsed += STEP_MS) {
    if (elapsed > MAX_SIMULATED_MS) throw new Error(`neither a crash nor a closed window after ${storage.committed} transactions`);
    await whileAlive(storage, () => dying.step(STEP_MS));
  }
  await dying.shutdown();
}

/** A fresh bot on the same database: asks again for what never got stored, then runs until the window is closed. */
async function recover(world: World): Promise<EngineHarness> {
  const bot = await startBot(world);
  if ((await windowState(bot)) === undefined) expect(await bot.engine.command(ALICE, 'open 1h')).toMatchObject({ ok: true });
  if ((await windowState(bot)) === 'requested') expect(await bot.engine.action(BOB, 'approve', '1')).toEqual({ ok: true, text: 'You approved window #1.' });
  await bot.runUntil(async () => (await windowState(bot)) === 'closed', MAX_SIMULATED_MS, STEP_MS);
  return bot;
}

async function expectCleanOutcome(world: World, bot: EngineHarness): Promise<void> {
  expect(await windowState(bot)).toBe('closed');
  expect(bot.logs.filter((line) => line.startsWith('error'))).toEqual([]);

  // Every initially pending node rebooted exactly once and is schedulable again; the others never rebooted.
  const nodes = await world.cluster.nodes();
  for (const node of nodes) {
    const pending = world.pendingAtStart.includes(node.name);
    expect(world.reboots.get(node.name), `reboots of ${node.name}`).toBe(pending ? 1 : 0);
    expect(node.unschedulable, `${node.name} cordoned`).toBe(false);
    expect(node.pendingReboot, `${node.name} pending`).toBeUndefined();
  }
  expect(await world.cluster.rebootDaemon()).toEqual({ present: false, windowId: undefined });
  const progress = await bot.repositories.nodeProgress.list(1);
  expect(progress.map((node) => [node.node, node.state])).toEqual(world.pendingAtStart.map((name) => [name, 'done']));

  // One live message for the window, no reply twice, and the milestones that matter all there.
  const live = world.chat.topLevel().filter((message) => message.message.fallbackText.includes('Maintenance window #1'));
  expect(live).toHaveLength(1);
  const [message] = live;
  expect(messageText(message?.message ?? { fallbackText: '', blocks: [] })).toContain(`${world.pendingAtStart.length}/${world.pendingAtStart.length} done`);
  const replies = world.chat.repliesTo(message?.id ?? '');
  const repeated = replies.filter((reply, index) => replies.indexOf(reply) !== index);
  expect(repeated).toEqual([]);
  expect(replies.filter((reply) => reply === '👍 bob approved window #1.')).toHaveLength(1);
  expect(replies.filter((reply) => reply.startsWith('🚀 kured deployed for window #1'))).toHaveLength(1);
  for (const name of world.pendingAtStart) {
    expect(replies.filter((reply) => reply.startsWith(`✅ ${name} done`)), `"${name} done" replies`).toHaveLength(1);
  }
  expect(replies.filter((reply) => reply.startsWith('🏁 Window #1 closed (completed). kured removed.'))).toHaveLength(1);
  expect(await bot.repositories.outbox.countPending()).toBe(0);

  // Each transition audited exactly once.
  const actions = (await bot.repositories.audit.list({ subject: 'window:1', limit: 1000 })).map((entry) => entry.action);
  for (const action of TRANSITIONS) expect(actions.filter((candidate) => candidate === action), action).toHaveLength(1);
}

// Counted once, at collection, so every crash point becomes its own test case.
const N = await countHappyPathTransactions();
const CRASH_POINTS = Array.from({ length: N }, (_, index) => index + 1);

describe('a crash after any persisted transition resumes correctly', () => {
  it('the happy path commits a stable number of transactions, and finishes cleanly without a crash', async () => {
    expect(N).toBeGreaterThan(20);
    expect(await countHappyPathTransactions()).toBe(N);
    const world = await newWorld();
    await expectCleanOutcome(world, await recover(world));
  });

  describe.each<CrashMode>(['after-commit', 'before-next'])('%s', (mode) => {
    it.each(CRASH_POINTS)(`crash at transaction %i of ${N}`, async (k) => {
      const world = await newWorld();
      const storage = crashingStorage(k, mode);
      await runUntilCrash(world, storage);
      expect(storage.committed).toBe(k);
      // Only "before the transaction after the last one" finds no transaction to die in.
      expect(storage.crashed).toBe(mode === 'after-commit' || k < N);
      const bot = await recover(world);
      await expectCleanOutcome(world, bot);
    });
  });
});
