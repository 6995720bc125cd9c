// The simulation's own, mutable record of a node and of a pod, and the immutable snapshots the
// port hands out (a caller can never change the simulation through what it was given).
import type { DrainProgress, NodeSnapshot, PendingReboot } from '../../../core/ports/cluster-port.ts';

export const REBOOT_REQUIRED_LABEL = 'patchwindow.dev/reboot-required';

/** Where the node's hardware is in a reboot: `up`, or down until it comes back with a new boot id. */
export type PowerState = 'up' | 'shutting-down' | 'booting';

export interface SimulatedNode {
  readonly name: string;
  readonly labels: Record<string, string>;
  ready: boolean;
  unschedulable: boolean;
  bootId: string;
  pendingReboot: PendingReboot | undefined;
  drain: DrainProgress | undefined;
  power: PowerState;
}

export interface SimulatedPod {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name` of the Deployment that owns the pod. */
  readonly deployment: string;
  /** undefined while no node can take it (Pending). */
  nodeName: string | undefined;
}

export interface PodSnapshot {
  readonly namespace: string;
  readonly name: string;
  readonly deployment: string;
  readonly nodeName: string | undefined;
}

export function markPending(node: SimulatedNode, pendingReboot: PendingReboot): void {
  node.pendingReboot = pendingReboot;
  // As the agent labels a node that needs a reboot, so selectors and kubectl -l can find it.
  node.labels[REBOOT_REQUIRED_LABEL] = 'true';
}

export function clearPending(node: SimulatedNode): void {
  node.pendingReboot = undefined;
  Reflect.deleteProperty(node.labels, REBOOT_REQUIRED_LABEL);
}

export function snapshotNode(node: SimulatedNode): NodeSnapshot {
  const pendingReboot = node.pendingReboot;
  const drain = node.drain;
  return Object.freeze({
    name: node.name,
    labels: Object.freeze({ ...node.labels }),
    ready: node.ready,
    unschedulable: node.unschedulable,
    bootId: node.bootId,
    pendingReboot:
      pendingReboot === undefined
        ? undefined
        : Object.freeze({
            since: pendingReboot.since === undefined ? undefined : new Date(pendingReboot.since.getTime()),
            packages: Object.freeze([...pendingReboot.packages]),
          }),
    drain: drain === undefined ? undefined : Object.freeze({ podsLeft: drain.podsLeft, blockedBy: drain.blockedBy }),
  });
}

export function snapshotPod(pod: SimulatedPod): PodSnapshot {
  return Object.freeze({ namespace: pod.namespace, name: pod.name, deployment: pod.deployment, nodeName: pod.nodeName });
}
