// kured that cannot be deployed or removed (helm exiting 1, an API server refusing): the window's
// thread is told once per distinct error, with an audit row, and the engine keeps retrying with
// backoff until it works; a window that ends before kured could be deployed is closed.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { RebootDaemonSpec } from '../../../../../bot/core/ports/cluster-port.ts';
import { ALICE, BOB, startEngineHarness } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

/** The simulated cluster, but deploy and remove fail with the scripted errors first (one per call). */
class FailingCluster extends SimulatedCluster {
  readonly deployFailures: Error[] = [];
  readonly removeFailures: Error[] = [];
  /** Simulated time (ms since the harness start) of every deploy and remove attempt. */
  readonly deployAttempts: number[] = [];
  readonly removeAttempts: number[] = [];
  readonly #clock: ManualClock;
  readonly #startMs: number;

  constructor(clock: ManualClock) {
    super(clock, { seed: 1 });
    this.#clock = clock;
    this.#startMs = clock.now().getTime();
  }

  override deployRebootDaemon(spec: RebootDaemonSpec): Promise<void> {
    this.deployAttempts.push(this.#clock.now().getTime() - this.#startMs);
    const failure = this.deployFailures.shift();
    return failure === undefined ? super.deployRebootDaemon(spec) : Promise.reject(failure);
  }

  override removeRebootDaemon(): Promise<void> {
    this.removeAttempts.push(this.#clock.now().getTime() - this.#startMs);
    const failure = this.removeFailures.shift();
    return failure === undefined ? super.removeRebootDaemon() : Promise.reject(failure);
  }
}

const HELM_FAILED = 'helm exited with code 1: Error: INSTALLATION FAILED: chart "kured" version "6.1.0" not found in https://kubereboot.github.io/charts repository';
const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

async function harness(): Promise<{ h: EngineHarness; cluster: FailingCluster }> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const cluster = new FailingCluster(clock);
  const h = await startEngineHarness({ path: join(dirs.make(), 'p.db'), clock, cluster });
  harnesses.push(h);
  return { h, cluster };
}

/** Requests and approves a window of `duration` starting now; the approval starts opening it. */
async function openWindow(h: EngineHarness, duration = '1h'): Promise<void> {
  expect((await h.engine.command(ALICE, `open ${duration}`)).ok).toBe(true);
  expect((await h.engine.action(BOB, 'approve', '1')).ok).toBe(true);
  await h.step(0);
}

function thread(h: EngineHarness): string[] {
  const live = h.chat.topLevel().find((message) => message.message.fallbackText.includes('window #1'));
  if (live === undefined) throw new Error('no live message for window #1');
  return h.chat.repliesTo(live.id);
}

async function audit(h: EngineHarness): Promise<{ action: string; error: unknown }[]> {
  const entries = await h.repositories.audit.list({ subject: 'window:1', limit: 100 });
  return entries
    .filter((entry) => entry.action.startsWith('daemon.'))
    .reverse()
    .map((entry) => ({ action: entry.action, error: entry.details['error'] }));
}

async function state(h: EngineHarness): Promise<string | undefined> {
  return (await h.repositories.windows.get(1))?.state;
}

describe('kured that cannot be deployed', () => {
  it('is told once with the exit code and stderr, retried with backoff, and the window opens when it works', async () => {
    const { h, cluster } = await harness();
    cluster.deployFailures.push(new Error(HELM_FAILED), new Error(HELM_FAILED), new Error(HELM_FAILED));
    await openWindow(h);
    expect(await state(h)).toBe('opening');
    expect(thread(h).filter((text) => text.startsWith('⚠️'))).toEqual([`⚠️ Could not deploy kured for window #1: ${HELM_FAILED}; retrying`]);

    await h.runUntil(async () => (await state(h)) === 'open', 60_000, 1000);
    // The first attempt at approval, then after 5 s, 10 s and 20 s of backoff: not every 1 s tick.
    expect(cluster.deployAttempts).toEqual([0, 5000, 15_000, 35_000]);
    const told = thread(h);
    expect(told.filter((text) => text.startsWith('⚠️'))).toHaveLength(1);
    expect(told.at(-1)).toBe('🚀 kured deployed for window #1 (concurrency 1).');
    expect(await audit(h)).toEqual([{ action: 'daemon.deploy-failed', error: HELM_FAILED }]);
    expect((await h.cluster.rebootDaemon()).windowId).toBe(1);
  });

  it('tells each new error, not a repeat of the same one (numbers that change every time do not count)', async () => {
    const { h, cluster } = await harness();
    cluster.deployFailures.push(
      new Error('helm exited with code 1: Error: timed out after 120013 ms'),
      new Error('helm exited with code 1: Error: timed out after 120456 ms'),
      new Error('helm exited with code 2: Error: cannot re-use a name that is still in use'),
    );
    await openWindow(h);
    await h.runUntil(async () => (await state(h)) === 'open', 60_000, 1000);
    expect(thread(h).filter((text) => text.startsWith('⚠️'))).toEqual([
      '⚠️ Could not deploy kured for window #1: helm exited with code 1: Error: timed out after 120013 ms; retrying',
      '⚠️ Could not deploy kured for window #1: helm exited with code 2: Error: cannot re-use a name that is still in use; retrying',
    ]);
    expect((await audit(h)).map((entry) => entry.action)).toEqual(['daemon.deploy-failed', 'daemon.deploy-failed']);
  });

  it('a window that ends while kured still cannot be deployed is closed, and whatever was deployed removed', async () => {
    const { h, cluster } = await harness();
    for (let index = 0; index < 100; index++) cluster.deployFailures.push(new Error(HELM_FAILED));
    await openWindow(h, '5m');
    await h.runUntil(async () => (await state(h)) === 'closed', 10 * 60_000, 1000);
    const told = thread(h);
    expect(told.filter((text) => text.startsWith('⚠️'))).toHaveLength(1);
    expect(told).toContain('🧹 Window #1 has reached its end before kured could be deployed; removing whatever was deployed.');
    expect(told.at(-1)).toMatch(/^🏁 Window #1 closed \(ended\)\. kured removed\./);
    expect(cluster.removeAttempts.length).toBeGreaterThanOrEqual(1);
    expect(cluster.deployAttempts.every((at) => at < 5 * 60_000)).toBe(true);
  });
});

describe('kured that cannot be removed', () => {
  it('is told once, the window stays closing and is retried until kured is gone', async () => {
    const { h, cluster } = await harness();
    const refused = 'cannot delete DaemonSet kured/kured: HTTP 403: daemonsets.apps "kured" is forbidden';
    cluster.removeFailures.push(new Error(refused), new Error(refused));
    await openWindow(h, '5m');
    await h.runUntil(async () => (await state(h)) === 'closing', 10 * 60_000, 1000);
    expect(thread(h).filter((text) => text.startsWith('⚠️'))).toEqual([`⚠️ Could not remove kured for window #1: ${refused}; retrying`]);
    expect((await h.cluster.rebootDaemon()).present).toBe(true);

    await h.runUntil(async () => (await state(h)) === 'closed', 60_000, 1000);
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    const [first = 0, second = 0, third = 0] = cluster.removeAttempts;
    expect([second - first, third - second]).toEqual([5000, 10_000]);
    expect(thread(h).filter((text) => text.startsWith('⚠️'))).toHaveLength(1);
    expect(await audit(h)).toEqual([{ action: 'daemon.remove-failed', error: refused }]);
  });
});
