import { describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { ManualClock } from '../../../../../support/manual-clock.ts';
import { START } from './simulation-harness.ts';

describe('the simulated cluster at start', () => {
  it('describes itself as simulated', () => {
    const cluster = new SimulatedCluster(new ManualClock(START));
    expect(cluster.simulated).toBe(true);
    expect(cluster.description).toBe('simulated cluster, 6 nodes');
    expect(new SimulatedCluster(new ManualClock(START), { nodeCount: 3, pendingAtStart: 1 }).description).toBe('simulated cluster, 3 nodes');
  });

  it('has six Ready worker nodes spread round robin over three zones', async () => {
    const nodes = await new SimulatedCluster(new ManualClock(START)).nodes();
    expect(nodes.map((node) => node.name)).toEqual(['sim-node-1', 'sim-node-2', 'sim-node-3', 'sim-node-4', 'sim-node-5', 'sim-node-6']);
    expect(nodes.map((node) => node.labels['topology.kubernetes.io/zone'])).toEqual(['sim-a', 'sim-b', 'sim-c', 'sim-a', 'sim-b', 'sim-c']);
    for (const node of nodes) {
      expect(node.labels['kubernetes.io/hostname']).toBe(node.name);
      expect(node.labels['node-role.kubernetes.io/worker']).toBe('');
      expect(node).toMatchObject({ ready: true, unschedulable: false, drain: undefined });
      expect(node.bootId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    expect(new Set(nodes.map((node) => node.bootId)).size).toBe(6);
  });

  it('has four nodes waiting for a reboot since before start, labelled as the agent would', async () => {
    const nodes = await new SimulatedCluster(new ManualClock(START)).nodes();
    const pending = nodes.filter((node) => node.pendingReboot !== undefined);
    expect(pending).toHaveLength(4);
    for (const node of pending) {
      expect(node.labels['patchwindow.dev/reboot-required']).toBe('true');
      expect(node.pendingReboot?.since?.getTime()).toBeLessThan(START.getTime());
      expect(node.pendingReboot?.packages.length).toBeGreaterThan(0);
    }
    for (const node of nodes.filter((candidate) => candidate.pendingReboot === undefined)) {
      expect(node.labels).not.toHaveProperty(['patchwindow.dev/reboot-required']);
    }
  });

  it('runs three to eight pods per node, one of them shop/web on a node waiting for a reboot', async () => {
    const cluster = new SimulatedCluster(new ManualClock(START));
    const pods = cluster.pods();
    const nodes = await cluster.nodes();
    for (const node of nodes) {
      const count = pods.filter((pod) => pod.nodeName === node.name).length;
      expect(count).toBeGreaterThanOrEqual(3);
      expect(count).toBeLessThanOrEqual(8);
    }
    const web = pods.filter((pod) => pod.deployment === 'shop/web');
    expect(web).toHaveLength(1);
    expect(web[0]?.namespace).toBe('shop');
    expect(web[0]?.name).toMatch(/^web-[0-9a-f]{9}-[0-9a-f]{5}$/);
    expect(nodes.find((node) => node.name === web[0]?.nodeName)?.pendingReboot).toBeDefined();
  });

  it('varies with the seed and honours the counts it is given', async () => {
    const first = await new SimulatedCluster(new ManualClock(START), { seed: 1 }).nodes();
    const second = await new SimulatedCluster(new ManualClock(START), { seed: 2 }).nodes();
    expect(first.map((node) => node.bootId)).not.toEqual(second.map((node) => node.bootId));
    const small = await new SimulatedCluster(new ManualClock(START), { nodeCount: 2, pendingAtStart: 0 }).nodes();
    expect(small.map((node) => node.pendingReboot)).toEqual([undefined, undefined]);
  });

  it('refuses impossible options', () => {
    const clock = new ManualClock(START);
    expect(() => new SimulatedCluster(clock, { nodeCount: 0 })).toThrow('nodeCount must be a positive integer, not 0');
    expect(() => new SimulatedCluster(clock, { nodeCount: 3, pendingAtStart: 4 })).toThrow(
      'pendingAtStart must be an integer from 0 to nodeCount (3), not 4',
    );
    expect(() => new SimulatedCluster(clock, { seed: 1.5 })).toThrow('seed must be an integer');
    expect(() => new SimulatedCluster(clock, { timings: { kuredPeriodMs: 0 } })).toThrow('timings.kuredPeriodMs must be a number ≥ 1, not 0');
    expect(() => new SimulatedCluster(clock, { timings: { shutdownMs: -1 } })).toThrow('timings.shutdownMs must be a number ≥ 0, not -1');
  });

  it('hands out immutable copies', async () => {
    const cluster = new SimulatedCluster(new ManualClock(START));
    const [node] = await cluster.nodes();
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(node?.labels)).toBe(true);
    expect(() => {
      (node?.labels as Record<string, string>)['extra'] = 'x';
    }).toThrow(TypeError);
    expect((await cluster.nodes())[0]).toEqual(node);
    expect((await cluster.nodes())[0]).not.toBe(node);
  });
});
