// A window as kured runs it in the simulation: who reboots, in what order, how many at once, and
// only inside [start, end).
import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../../../../../bot/core/ports/cluster-port.ts';
import { isBusy, phasesOf, SimulationHarness, windowSpec, type Phase } from './simulation-harness.ts';

const MINUTE = 60_000;
const THROUGH_REBOOT: Phase[] = ['not-ready', 'new-boot', 'back-cordoned', 'done'];

async function settled(harness: SimulationHarness): Promise<boolean> {
  const nodes = await harness.cluster.nodes();
  const lock = await harness.cluster.readLock();
  return nodes.every((node) => node.pendingReboot === undefined && !isBusy(node)) && lock.holders.length === 0;
}

function maxBusyAtOnce(harness: SimulationHarness): number {
  return Math.max(0, ...harness.observations.map((observation) => observation.nodes.filter(isBusy).length));
}

/** The instant (ms after start) of the last recorded change. */
function lastChangeAt(harness: SimulationHarness): number {
  return harness.observations.at(-1)?.at ?? 0;
}

describe('a window with concurrency 1', () => {
  it('reboots every pending node exactly once, one at a time, through every kured step', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    const before = await cluster.nodes();
    const pending = before.filter((node) => node.pendingReboot !== undefined).map((node) => node.name);
    const webHost = cluster.pods().find((pod) => pod.deployment === 'shop/web')?.nodeName;
    const blockedWhileHostingWeb: string[] = [];
    cluster.watchNodes((nodes) => {
      // A drain blocked by the budget is one whose node still runs the shop/web pod.
      for (const node of nodes.filter((candidate) => candidate.drain?.blockedBy !== undefined)) {
        expect(node.drain?.blockedBy).toBe('PodDisruptionBudget shop/web');
        const web = cluster.pods().find((pod) => pod.deployment === 'shop/web');
        expect(web?.nodeName).toBe(node.name);
        blockedWhileHostingWeb.push(node.name);
      }
    });

    await cluster.deployRebootDaemon(windowSpec());
    let mostHolders = 0;
    await harness.runUntil(() => settled(harness), 2 * MINUTE, 100, async () => {
      const lock = await cluster.readLock();
      expect(lock.maxOwners).toBe(1);
      mostHolders = Math.max(mostHolders, lock.holders.length);
    });

    expect(mostHolders).toBe(1);
    expect(maxBusyAtOnce(harness)).toBe(1);
    expect(webHost).toBeDefined();
    expect(blockedWhileHostingWeb).toContain(webHost);
    for (const original of before) {
      const history = [original, ...harness.historyOf(original.name)];
      const phases = phasesOf(history, original.bootId);
      if (pending.includes(original.name)) {
        const drain: Phase[] = blockedWhileHostingWeb.includes(original.name) ? ['draining', 'blocked'] : ['draining'];
        expect(phases, original.name).toEqual(['pending', 'cordoned', ...drain, ...THROUGH_REBOOT]);
        expect(new Set(history.map((node) => node.bootId)).size, original.name).toBe(2);
      } else {
        expect(phases, original.name).toEqual(['idle']);
      }
    }
    // The reboot itself clears the pending reboot and the agent's label.
    for (const name of pending) {
      const firstUp = harness.historyOf(name).find((node) => node.bootId !== before.find((b) => b.name === name)?.bootId);
      expect(firstUp?.pendingReboot).toBeUndefined();
      expect(firstUp?.labels).not.toHaveProperty(['patchwindow.dev/reboot-required']);
    }
  });

  it('counts pods down while draining and moves them to other nodes', async () => {
    const harness = new SimulationHarness();
    await harness.cluster.deployRebootDaemon(windowSpec());
    await harness.runUntil(async () => (await harness.cluster.nodes()).some((node) => node.drain !== undefined), MINUTE);
    const draining = (await harness.cluster.nodes()).find((node) => node.drain !== undefined);
    const name = draining?.name ?? '';
    const podsAtStart = harness.cluster.pods().filter((pod) => pod.nodeName === name).length;
    expect(draining?.drain?.podsLeft).toBe(podsAtStart);
    await harness.runUntil(async () => !(await harness.node(name)).ready, MINUTE);
    const counts = harness.historyOf(name).flatMap((node) => (node.drain === undefined ? [] : [node.drain.podsLeft]));
    expect(counts.filter((count, index) => count !== counts[index - 1])).toEqual(
      Array.from({ length: podsAtStart }, (_, index) => podsAtStart - index),
    );
    expect(harness.cluster.pods().filter((pod) => pod.nodeName === name)).toEqual([]);
    expect(harness.cluster.pods().every((pod) => pod.nodeName !== undefined)).toBe(true);
  });

  it('takes about half a minute for four pending nodes out of six with the default timings', async () => {
    const harness = new SimulationHarness();
    await harness.cluster.deployRebootDaemon(windowSpec());
    await harness.runUntil(() => settled(harness), 2 * MINUTE);
    expect(lastChangeAt(harness)).toBeGreaterThan(20_000);
    expect(lastChangeAt(harness)).toBeLessThan(45_000);
  });
});

describe('a window with concurrency 2', () => {
  it('reboots two nodes at once, never more', async () => {
    const harness = new SimulationHarness();
    await harness.cluster.deployRebootDaemon(windowSpec({ concurrency: 2 }));
    let mostHolders = 0;
    await harness.runUntil(() => settled(harness), 2 * MINUTE, 100, async () => {
      const lock = await harness.cluster.readLock();
      expect(lock.maxOwners).toBe(2);
      mostHolders = Math.max(mostHolders, lock.holders.length);
    });
    expect(mostHolders).toBe(2);
    expect(maxBusyAtOnce(harness)).toBe(2);
  });

  it('finishes sooner than one at a time', async () => {
    const single = new SimulationHarness();
    await single.cluster.deployRebootDaemon(windowSpec());
    await single.runUntil(() => settled(single), 2 * MINUTE);
    const double = new SimulationHarness();
    await double.cluster.deployRebootDaemon(windowSpec({ concurrency: 2 }));
    await double.runUntil(() => settled(double), 2 * MINUTE);
    expect(lastChangeAt(double)).toBeLessThan(lastChangeAt(single));
  });
});

describe('the node selector', () => {
  it('limits the reboots to the nodes it matches', async () => {
    const harness = new SimulationHarness();
    const before = await harness.cluster.nodes();
    const inZoneA = (node: NodeSnapshot): boolean => node.labels['topology.kubernetes.io/zone'] === 'sim-a';
    const pendingOutside = before.filter((node) => node.pendingReboot !== undefined && !inZoneA(node)).map((node) => node.name);
    expect(before.some((node) => node.pendingReboot !== undefined && inZoneA(node))).toBe(true);
    expect(pendingOutside.length).toBeGreaterThan(0);

    await harness.cluster.deployRebootDaemon(windowSpec({ nodeSelector: 'topology.kubernetes.io/zone=sim-a' }));
    harness.advanceTo(2 * MINUTE);

    for (const node of await harness.cluster.nodes()) {
      const original = before.find((candidate) => candidate.name === node.name);
      if (inZoneA(node)) {
        expect(node.pendingReboot, node.name).toBeUndefined();
      } else {
        expect(node.bootId, node.name).toBe(original?.bootId);
        expect(node.pendingReboot, node.name).toEqual(original?.pendingReboot);
        for (const snapshot of harness.historyOf(node.name)) expect(snapshot, node.name).toEqual(original);
      }
    }
    expect(await harness.pendingNames()).toEqual(pendingOutside);
  });

  it('rejects a selector it cannot read, leaving the cluster as it was', async () => {
    const harness = new SimulationHarness();
    await expect(harness.cluster.deployRebootDaemon(windowSpec({ nodeSelector: 'zone in (a' }))).rejects.toThrow(
      'cannot read label selector "zone in (a": missing ")" after the values',
    );
    expect(await harness.cluster.rebootDaemon()).toEqual({ present: false, windowId: undefined });
  });
});

describe('outside the window', () => {
  it('does nothing before the window starts', async () => {
    const harness = new SimulationHarness();
    await harness.cluster.deployRebootDaemon(windowSpec({ start: new Date(harness.clock.now().getTime() + MINUTE) }));
    harness.advanceTo(MINUTE - 1);
    expect(harness.observations).toEqual([]);
    expect((await harness.cluster.readLock()).holders).toEqual([]);
    await harness.runUntil(() => settled(harness), 3 * MINUTE);
    const firstChange = harness.observations[0];
    expect(firstChange?.at).toBeGreaterThanOrEqual(MINUTE);
    expect(firstChange?.at).toBeLessThan(MINUTE + 1000);
  });

  it('does not touch a node that needs a reboot after the window ended', async () => {
    const harness = new SimulationHarness();
    const end = harness.clock.now().getTime() + MINUTE;
    await harness.cluster.deployRebootDaemon(windowSpec({ end: new Date(end) }));
    await harness.runUntil(() => settled(harness), MINUTE);
    harness.advanceTo(MINUTE);
    const before = await harness.node('sim-node-2');
    harness.cluster.makePending('sim-node-2', ['openssl']);
    harness.advanceTo(30 * MINUTE);
    const after = await harness.node('sim-node-2');
    expect(after.pendingReboot?.packages).toEqual(['openssl']);
    expect(after).toMatchObject({ ready: true, unschedulable: false, bootId: before.bootId, drain: undefined });
    expect((await harness.cluster.nodes()).filter(isBusy)).toEqual([]);
  });

  it('lets a node that started before the end finish, uncordon and release, and starts no other', async () => {
    const harness = new SimulationHarness();
    const end = harness.clock.now().getTime() + 5_000;
    await harness.cluster.deployRebootDaemon(windowSpec({ end: new Date(end) }));
    harness.advanceTo(5_000);
    const busy = (await harness.cluster.nodes()).filter(isBusy).map((node) => node.name);
    expect(busy).toHaveLength(1);
    harness.advanceTo(10 * MINUTE);
    const nodes = await harness.cluster.nodes();
    expect(nodes.filter(isBusy)).toEqual([]);
    expect(nodes.find((node) => node.name === busy[0])?.pendingReboot).toBeUndefined();
    expect(await harness.pendingNames()).toHaveLength(3);
    expect((await harness.cluster.readLock()).holders).toEqual([]);
  });
});

describe('pausing with the lock', () => {
  it('stops new reboots while held, lets the current one finish, and resumes on release', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    await cluster.deployRebootDaemon(windowSpec());
    await harness.runUntil(async () => (await cluster.nodes()).some(isBusy), MINUTE);
    const first = (await cluster.nodes()).find(isBusy)?.name ?? '';
    await cluster.holdRebootLock('patchwindow');
    expect((await cluster.readLock()).holders).toEqual([first]);

    await harness.runUntil(async () => !isBusy(await harness.node(first)), MINUTE);
    expect((await harness.node(first)).pendingReboot).toBeUndefined();
    expect(await cluster.readLock()).toMatchObject({ holders: ['patchwindow/1'], maxOwners: 1 });
    const pausedAt = harness.elapsed;
    harness.advanceBy(5 * MINUTE);
    expect(harness.observations.filter((observation) => observation.at > pausedAt)).toEqual([]);
    expect(await harness.pendingNames()).toHaveLength(3);

    await cluster.releaseRebootLock('patchwindow');
    expect((await cluster.readLock()).holders).toEqual([]);
    await harness.runUntil(() => settled(harness), 10 * MINUTE);
    expect(maxBusyAtOnce(harness)).toBe(1);
  });

  it('takes every free slot at once when nothing is rebooting', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    await cluster.deployRebootDaemon(windowSpec({ concurrency: 3, start: new Date(harness.clock.now().getTime() + MINUTE) }));
    await cluster.holdRebootLock('patchwindow');
    await cluster.holdRebootLock('patchwindow');
    expect(await cluster.readLock()).toMatchObject({ holders: ['patchwindow/1', 'patchwindow/2', 'patchwindow/3'], maxOwners: 3 });
    harness.advanceTo(5 * MINUTE);
    expect(harness.observations).toEqual([]);
    await cluster.releaseRebootLock('patchwindow');
    await cluster.releaseRebootLock('patchwindow');
    await harness.runUntil(() => settled(harness), 10 * MINUTE);
  });

  it('cannot hold the lock of a daemon that is not deployed; releasing is always fine', async () => {
    const harness = new SimulationHarness();
    await expect(harness.cluster.holdRebootLock('patchwindow')).rejects.toThrow(
      'cannot hold the reboot lock: the reboot daemon is not deployed',
    );
    await expect(harness.cluster.releaseRebootLock('patchwindow')).resolves.toBeUndefined();
    expect(await harness.cluster.readLock()).toMatchObject({ holders: [], maxOwners: 1 });
  });
});

describe('removing the daemon', () => {
  it('mid-drain stops kured: the node stays cordoned, nothing is released or started', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    await cluster.deployRebootDaemon(windowSpec());
    await harness.runUntil(async () => (await cluster.nodes()).some((node) => node.drain !== undefined), MINUTE, 50);
    const draining = (await cluster.nodes()).find((node) => node.drain !== undefined);
    const name = draining?.name ?? '';

    await cluster.removeRebootDaemon();
    expect(await cluster.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    expect(await cluster.readLock()).toMatchObject({ holders: [], maxOwners: 1 });
    const stopped = await harness.node(name);
    expect(stopped).toMatchObject({ unschedulable: true, ready: true, drain: undefined, bootId: draining?.bootId });

    const removedAt = harness.elapsed;
    harness.advanceBy(10 * MINUTE);
    expect(harness.observations.filter((observation) => observation.at > removedAt)).toEqual([]);
    expect(await harness.node(name)).toEqual(stopped);
    expect(await harness.pendingNames()).toHaveLength(4);
  });

  it('mid-reboot lets the hardware finish, but nobody uncordons the node', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    await cluster.deployRebootDaemon(windowSpec());
    await harness.runUntil(async () => (await cluster.nodes()).some((node) => !node.ready), MINUTE, 50);
    const down = (await cluster.nodes()).find((node) => !node.ready);
    await cluster.removeRebootDaemon();
    harness.advanceBy(10 * MINUTE);
    const after = await harness.node(down?.name ?? '');
    expect(after).toMatchObject({ ready: true, unschedulable: true, pendingReboot: undefined, drain: undefined });
    expect(after.bootId).not.toBe(down?.bootId);
    expect(await harness.pendingNames()).toHaveLength(3);
  });

  it('then deploying again reboots the cordoned node but, as kured does, leaves it cordoned', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    await cluster.deployRebootDaemon(windowSpec());
    await harness.runUntil(async () => (await cluster.nodes()).some((node) => node.drain !== undefined), MINUTE, 50);
    const name = (await cluster.nodes()).find((node) => node.drain !== undefined)?.name ?? '';
    await cluster.removeRebootDaemon();
    await cluster.deployRebootDaemon(windowSpec({ windowId: 2 }));
    await harness.runUntil(async () => (await harness.pendingNames()).length === 0, 2 * MINUTE);
    harness.advanceBy(MINUTE);
    const nodes = await cluster.nodes();
    // kured remembers the node was cordoned before it took the lock, so it does not uncordon it.
    expect(nodes.filter((node) => node.unschedulable).map((node) => node.name)).toEqual([name]);
    expect((await cluster.readLock()).holders).toEqual([]);
  });
});

describe('a kured pod whose node stops matching the selector', () => {
  it('is gone after the reboot, so the node stays cordoned and keeps its lock slot', async () => {
    const harness = new SimulationHarness();
    const { cluster } = harness;
    // The agent's label disappears with the reboot, and with it the DaemonSet's pod on the node.
    await cluster.deployRebootDaemon(windowSpec({ nodeSelector: 'patchwindow.dev/reboot-required=true' }));
    harness.advanceTo(MINUTE);
    const nodes = await cluster.nodes();
    expect(nodes.filter((node) => node.unschedulable)).toHaveLength(1);
    expect((await cluster.readLock()).holders).toEqual(nodes.filter((node) => node.unschedulable).map((node) => node.name));
    expect(await harness.pendingNames()).toHaveLength(3);
  });
});
