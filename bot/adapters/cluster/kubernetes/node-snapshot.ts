// A Kubernetes Node as the core sees it: Ready condition, cordon, bootID and the agent's
// pending-reboot annotations (agent/core/node-contract.ts), plus drain progress where the
// DrainTracker follows a drain (it comes from kured's pod log and the pods on the node, not the Node).
import {
  REBOOT_REQUIRED_ANNOTATION,
  REBOOT_REQUIRED_PACKAGES_ANNOTATION,
  REBOOT_REQUIRED_SINCE_ANNOTATION,
} from '../../../../agent/core/node-contract.ts';
import type { DrainProgress, NodeSnapshot, PendingReboot } from '../../../core/ports/cluster-port.ts';

/** The parts of a V1Node read here (V1Node fits it). */
export interface NodeLike {
  readonly metadata?: {
    readonly name?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: {
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly nodeInfo?: { readonly bootID?: string };
  };
}

export function nodeSnapshot(node: NodeLike, drain?: DrainProgress): NodeSnapshot {
  const annotations = node.metadata?.annotations ?? {};
  return {
    name: node.metadata?.name ?? '',
    labels: { ...(node.metadata?.labels ?? {}) },
    ready: node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
    unschedulable: node.spec?.unschedulable === true,
    bootId: node.status?.nodeInfo?.bootID ?? '',
    pendingReboot: pendingReboot(annotations),
    drain: drain === undefined ? undefined : { podsLeft: drain.podsLeft, blockedBy: drain.blockedBy },
  };
}

function pendingReboot(annotations: Readonly<Record<string, string>>): PendingReboot | undefined {
  if (annotations[REBOOT_REQUIRED_ANNOTATION]?.trim().toLowerCase() !== 'true') return undefined;
  const sinceText = annotations[REBOOT_REQUIRED_SINCE_ANNOTATION];
  const since = sinceText === undefined ? undefined : new Date(sinceText);
  const packages = (annotations[REBOOT_REQUIRED_PACKAGES_ANNOTATION] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return { since: since === undefined || Number.isNaN(since.getTime()) ? undefined : since, packages };
}

/** Nodes in name order, so listeners see a stable list; `drain` by node name. */
export function sortedSnapshots(nodes: Iterable<NodeLike>, drain: ReadonlyMap<string, DrainProgress> = new Map()): NodeSnapshot[] {
  return [...nodes]
    .map((node) => nodeSnapshot(node, drain.get(node.metadata?.name ?? '')))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
