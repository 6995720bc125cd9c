// Node → NodeSnapshot: Ready condition, cordon, bootID and the agent's pending-reboot annotations.
import { describe, expect, it } from 'vitest';
import { nodeSnapshot, sortedSnapshots } from '../../../../../../bot/adapters/cluster/kubernetes/node-snapshot.ts';
import type { NodeLike } from '../../../../../../bot/adapters/cluster/kubernetes/node-snapshot.ts';

function node(overrides: { name?: string; annotations?: Record<string, string>; ready?: string; unschedulable?: boolean } = {}): NodeLike {
  return {
    metadata: { name: overrides.name ?? 'node-1', labels: { 'kubernetes.io/hostname': overrides.name ?? 'node-1' }, annotations: overrides.annotations ?? {} },
    spec: overrides.unschedulable === undefined ? {} : { unschedulable: overrides.unschedulable },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: overrides.ready ?? 'True' },
      ],
      nodeInfo: { bootID: 'boot-1' },
    },
  };
}

describe('nodeSnapshot', () => {
  it('maps a Ready, schedulable node without a pending reboot', () => {
    expect(nodeSnapshot(node())).toEqual({
      name: 'node-1',
      labels: { 'kubernetes.io/hostname': 'node-1' },
      ready: true,
      unschedulable: false,
      bootId: 'boot-1',
      pendingReboot: undefined,
      drain: undefined,
    });
  });

  it('Ready False or Unknown, or no Ready condition, is not ready', () => {
    expect(nodeSnapshot(node({ ready: 'False' })).ready).toBe(false);
    expect(nodeSnapshot(node({ ready: 'Unknown' })).ready).toBe(false);
    expect(nodeSnapshot({ metadata: { name: 'bare' } })).toMatchObject({ name: 'bare', ready: false, unschedulable: false, bootId: '', labels: {} });
  });

  it('a cordoned node is unschedulable', () => {
    expect(nodeSnapshot(node({ unschedulable: true })).unschedulable).toBe(true);
  });

  it('reads the agent annotations into the pending reboot', () => {
    const snapshot = nodeSnapshot(
      node({
        annotations: {
          'patchwindow.dev/reboot-required': 'true',
          'patchwindow.dev/reboot-required-since': '2026-03-07T20:00:00Z',
          'patchwindow.dev/reboot-required-packages': 'linux-image-6.1.0-28-amd64, libc6:amd64,+3 more',
        },
      }),
    );
    expect(snapshot.pendingReboot).toEqual({ since: new Date('2026-03-07T20:00:00Z'), packages: ['linux-image-6.1.0-28-amd64', 'libc6:amd64', '+3 more'] });
  });

  it('pending without since or packages; a bad since is unknown', () => {
    expect(nodeSnapshot(node({ annotations: { 'patchwindow.dev/reboot-required': 'true' } })).pendingReboot).toEqual({ since: undefined, packages: [] });
    expect(
      nodeSnapshot(node({ annotations: { 'patchwindow.dev/reboot-required': 'true', 'patchwindow.dev/reboot-required-since': 'yesterday' } })).pendingReboot?.since,
    ).toBeUndefined();
  });

  it('"false" or a leftover since without the flag is not pending', () => {
    expect(nodeSnapshot(node({ annotations: { 'patchwindow.dev/reboot-required': 'false' } })).pendingReboot).toBeUndefined();
    expect(nodeSnapshot(node({ annotations: { 'patchwindow.dev/reboot-required-since': '2026-03-07T20:00:00Z' } })).pendingReboot).toBeUndefined();
  });

  it('sortedSnapshots orders by name', () => {
    expect(sortedSnapshots([node({ name: 'b' }), node({ name: 'a' }), node({ name: 'c' })]).map((snapshot) => snapshot.name)).toEqual(['a', 'b', 'c']);
  });

  it('carries the drain progress of the nodes being drained, a copy per snapshot', () => {
    const drain = { podsLeft: 3, blockedBy: 'PodDisruptionBudget shop/web' };
    const snapshots = sortedSnapshots([node({ name: 'b', unschedulable: true }), node({ name: 'a' })], new Map([['b', drain]]));
    expect(snapshots.map((snapshot) => [snapshot.name, snapshot.drain])).toEqual([
      ['a', undefined],
      ['b', { podsLeft: 3, blockedBy: 'PodDisruptionBudget shop/web' }],
    ]);
    expect(snapshots[1]?.drain).not.toBe(drain);
  });
});
