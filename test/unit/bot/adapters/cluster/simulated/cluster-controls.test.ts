// The console's `sim` controls, the daemon's idempotent deploy/remove, watching, and determinism.
import { describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { NodeSnapshot } from '../../../../../../bot/core/ports/cluster-port.ts';
import { ManualClock } from '../../../../../support/manual-clock.ts';
import { isBusy, SimulationHarness, START, windowSpec } from './simulation-harness.ts';

const MINUTE = 60_000;

describe('makePending', () => {
  it('marks a node as needing a reboot from now, with the agent label', async () => {
    const harness = new SimulationHarness();
    const idle = (await harness.cluster.nodes()).find((node) => node.pendingReboot === undefined);
    const name = idle?.name ?? '';
    harness.advanceTo(5_000);
    harness.cluster.makePending(name, ['linux-image-6.1.0-28-amd64']);
    const node = await harness.node(name);
    expect(node.pendingReboot).toEqual({ since: new Date(START.getTime() + 5_000), packages: ['linux-image-6.1.0-28-amd64'] });
    expect(node.labels['patchwindow.dev/reboot-required']).toBe('true');
    expect(harness.observations.at(-1)?.nodes.find((snapshot) => snapshot.name === name)).toEqual(node);
  });

  it('chooses seeded packages when none are given', async () => {
    const harness = new SimulationHarness();
    const name = (await harness.cluster.nodes()).find((node) => node.pendingReboot === undefined)?.name ?? '';
    harness.cluster.makePending(name);
    expect((await harness.node(name)).pendingReboot?.packages.length).toBeGreaterThan(0);
  });

  it('keeps the first sighting of a node already pending and adds the new packages', async () => {
    const harness = new SimulationHarness();
    const pending = (await harness.cluster.nodes()).find((node) => node.pendingReboot !== undefined);
    const name = pending?.name ?? '';
    harness.advanceTo(MINUTE);
    harness.cluster.makePending(name, ['openssl', 'libc6']);
    const node = await harness.node(name);
    expect(node.pendingReboot?.since).toEqual(pending?.pendingReboot?.since);
    expect(node.pendingReboot?.packages).toEqual([...new Set([...(pending?.pendingReboot?.packages ?? []), 'openssl', 'libc6'])]);
    const changes = harness.observations.length;
    harness.cluster.makePending(name);
    expect(harness.observations).toHaveLength(changes);
  });

  it('names the nodes there are when asked for one that is not', () => {
    const harness = new SimulationHarness();
    expect(() => {
      harness.cluster.makePending('sim-node-9');
    }).toThrow(
      'no node named "sim-node-9" in the simulated cluster; nodes: sim-node-1, sim-node-2, sim-node-3, sim-node-4, sim-node-5, sim-node-6',
    );
  });

  it('gets a node rebooted in the next window', async () => {
    const harness = new SimulationHarness({ pendingAtStart: 0 });
    harness.cluster.makePending('sim-node-3');
    const before = await harness.node('sim-node-3');
    await harness.cluster.deployRebootDaemon(windowSpec());
    harness.advanceTo(MINUTE);
    const after = await harness.node('sim-node-3');
    expect(after.pendingReboot).toBeUndefined();
    expect(after.bootId).not.toBe(before.bootId);
  });
});

describe('reset', () => {
  it('returns to the seeded initial state, without a daemon, and tells watchers', async () => {
    const harness = new SimulationHarness({ seed: 9 });
    const { cluster } = harness;
    await cluster.deployRebootDaemon(windowSpec({ concurrency: 2 }));
    await cluster.holdRebootLock('patchwindow');
    harness.advanceTo(20_000);
    cluster.makePending('sim-node-1');

    harness.advanceTo(MINUTE);
    const changes = harness.observations.length;
    cluster.reset();
    expect(harness.observations).toHaveLength(changes + 1);
    expect(await cluster.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    expect(await cluster.readLock()).toMatchObject({ holders: [], maxOwners: 1 });
    const fresh = new SimulatedCluster(new ManualClock(new Date(START.getTime() + MINUTE)), { seed: 9 });
    expect(await cluster.nodes()).toEqual(await fresh.nodes());
    expect(cluster.pods()).toEqual(fresh.pods());

    // Nothing from before the reset is still in flight.
    harness.advanceTo(10 * MINUTE);
    expect(harness.observations).toHaveLength(changes + 1);
  });
});

describe('the reboot daemon', () => {
  it('reports what is deployed', async () => {
    const { cluster } = new SimulationHarness();
    expect(await cluster.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    await cluster.deployRebootDaemon(windowSpec({ windowId: 7, concurrency: 3 }));
    expect(await cluster.rebootDaemon()).toEqual({ present: true, windowId: 7 });
    expect(await cluster.readLock()).toMatchObject({ holders: [], maxOwners: 3 });
  });

  it('deploying the same window again changes nothing, in flight or not', async () => {
    const twice = new SimulationHarness();
    const once = new SimulationHarness();
    await twice.cluster.deployRebootDaemon(windowSpec());
    await once.cluster.deployRebootDaemon(windowSpec());
    twice.advanceTo(10_000);
    once.advanceTo(10_000);
    await twice.cluster.deployRebootDaemon(windowSpec({ concurrency: 4 }));
    expect(await twice.cluster.readLock()).toEqual(await once.cluster.readLock());
    twice.advanceTo(2 * MINUTE);
    once.advanceTo(2 * MINUTE);
    expect(twice.observations).toEqual(once.observations);
  });

  it('deploying another window replaces the daemon, its lock and its drains', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    await cluster.deployRebootDaemon(windowSpec());
    await harness.runUntil(async () => (await cluster.nodes()).some((node) => node.drain !== undefined), MINUTE, 50);
    await cluster.holdRebootLock('patchwindow');
    await cluster.deployRebootDaemon(windowSpec({ windowId: 2, concurrency: 2 }));
    expect(await cluster.rebootDaemon()).toEqual({ present: true, windowId: 2 });
    expect(await cluster.readLock()).toMatchObject({ holders: [], maxOwners: 2 });
    expect((await cluster.nodes()).filter((node) => node.drain !== undefined)).toEqual([]);
  });

  it('removing is idempotent', async () => {
    const { cluster } = new SimulationHarness();
    await cluster.removeRebootDaemon();
    await cluster.deployRebootDaemon(windowSpec());
    await cluster.removeRebootDaemon();
    await cluster.removeRebootDaemon();
    expect(await cluster.rebootDaemon()).toEqual({ present: false, windowId: undefined });
  });

  it('refuses a concurrency below one', async () => {
    const { cluster } = new SimulationHarness();
    await expect(cluster.deployRebootDaemon(windowSpec({ concurrency: 0 }))).rejects.toThrow(
      'reboot daemon concurrency must be a positive integer, not 0',
    );
  });

  it('is not affected by later changes to the spec it was given', async () => {
    const harness = new SimulationHarness();
    const spec = windowSpec();
    await harness.cluster.deployRebootDaemon(spec);
    spec.end.setTime(START.getTime());
    harness.advanceTo(5_000);
    expect((await harness.cluster.nodes()).some(isBusy)).toBe(true);
  });
});

describe('watching and time', () => {
  it('stops calling a listener once unsubscribed', async () => {
    const harness = new SimulationHarness();
    const seen: (readonly NodeSnapshot[])[] = [];
    const stop = harness.cluster.watchNodes((nodes) => seen.push(nodes));
    await harness.cluster.deployRebootDaemon(windowSpec());
    harness.advanceTo(3_000);
    const count = seen.length;
    expect(count).toBeGreaterThan(0);
    expect(seen.at(-1)).toHaveLength(6);
    stop();
    harness.advanceTo(MINUTE);
    expect(seen).toHaveLength(count);
  });

  it('tells every listener even when one throws, then reports the error', async () => {
    const harness = new SimulationHarness();
    harness.cluster.watchNodes(() => {
      throw new Error('listener failed');
    });
    await harness.cluster.deployRebootDaemon(windowSpec());
    expect(() => {
      harness.advanceTo(MINUTE);
    }).toThrow('listener failed');
    expect(harness.observations).toHaveLength(1);
    // The simulation is intact and carries on from where it stopped.
    harness.cluster.watchNodes(() => undefined);
  });

  it('lets a listener read the cluster while it is being told of a change', async () => {
    const harness = new SimulationHarness();
    const reads: Promise<NodeSnapshot[]>[] = [];
    harness.cluster.watchNodes(() => {
      reads.push(harness.cluster.nodes());
    });
    await harness.cluster.deployRebootDaemon(windowSpec());
    harness.advanceTo(MINUTE);
    expect(reads.length).toBe(harness.observations.length);
    const lastRead = await reads.at(-1);
    expect(lastRead).toEqual(harness.observations.at(-1)?.nodes);
  });

  it('catches up with its clock on every call and never goes back in time', async () => {
    const clock = new ManualClock(START);
    const cluster = new SimulatedCluster(clock);
    await cluster.deployRebootDaemon(windowSpec());
    clock.advance(MINUTE);
    expect((await cluster.nodes()).filter((node) => node.pendingReboot !== undefined)).toEqual([]);
    expect(cluster.now).toEqual(new Date(START.getTime() + MINUTE));
    cluster.advanceTo(START);
    expect(cluster.now).toEqual(new Date(START.getTime() + MINUTE));
  });
});

describe('determinism', () => {
  async function run(seed: number): Promise<SimulationHarness> {
    const harness = new SimulationHarness({ seed });
    await harness.cluster.deployRebootDaemon(windowSpec({ concurrency: 2 }));
    harness.advanceTo(7_000);
    await harness.cluster.holdRebootLock('patchwindow');
    harness.advanceTo(20_000);
    harness.cluster.makePending('sim-node-2');
    await harness.cluster.releaseRebootLock('patchwindow');
    harness.advanceTo(2 * MINUTE);
    return harness;
  }

  it('gives identical sequences of snapshots for the same seed', async () => {
    const first = await run(5);
    const second = await run(5);
    expect(first.observations.length).toBeGreaterThan(20);
    expect(second.observations).toEqual(first.observations);
    expect(second.cluster.pods()).toEqual(first.cluster.pods());
  });

  it('gives a different run for another seed', async () => {
    expect((await run(6)).observations).not.toEqual((await run(5)).observations);
  });

  it('gives the same run however finely time is advanced', async () => {
    const coarse = new SimulationHarness();
    const fine = new SimulationHarness();
    await coarse.cluster.deployRebootDaemon(windowSpec());
    await fine.cluster.deployRebootDaemon(windowSpec());
    coarse.advanceTo(2 * MINUTE);
    for (let ms = 0; ms <= 2 * MINUTE; ms += 37) fine.advanceTo(ms);
    fine.advanceTo(2 * MINUTE);
    expect(fine.observations).toEqual(coarse.observations);
  });
});
