// Records what the nodes and kured's lock did, from watch events, for assertions afterwards:
// Ready/NotReady and cordon intervals per node, bootIDs, the most nodes NotReady at once, and
// every value of the lock annotation on kured's DaemonSet.
import type { Informer } from './kube.ts';
import type { DaemonSet, Node } from './kube-types.ts';
import { isNodeReady } from './kube-types.ts';

export const KURED_LOCK_ANNOTATION = 'weave.works/kured-node-lock';

export interface Interval {
  readonly start: number;
  end?: number;
}

export interface NodeHistory {
  readonly notReady: Interval[];
  readonly cordoned: Interval[];
  readonly bootIDs: string[];
}

export interface Timeline {
  node(name: string): NodeHistory;
  /** The largest number of nodes NotReady at the same time. */
  maxNotReadyAtOnce(): number;
  /** Every distinct value of the lock annotation, in order (undefined = no annotation). */
  lockValues(): (string | undefined)[];
  stop(): void;
}

export function recordTimeline(nodes: Informer<Node>, daemonSets: Informer<DaemonSet>, lock: { namespace: string; name: string }): Timeline {
  const histories = new Map<string, NodeHistory>();
  const locks: (string | undefined)[] = [];
  let maxNotReady = 0;

  const history = (name: string): NodeHistory => {
    let found = histories.get(name);
    if (found === undefined) {
      found = { notReady: [], cordoned: [], bootIDs: [] };
      histories.set(name, found);
    }
    return found;
  };

  const toggle = (intervals: Interval[], on: boolean, now: number): void => {
    const last = intervals.at(-1);
    const open = last !== undefined && last.end === undefined;
    if (on && !open) intervals.push({ start: now });
    if (!on && open) last.end = now;
  };

  const observe = (node: Node): void => {
    const now = Date.now();
    const h = history(node.metadata.name);
    toggle(h.notReady, !isNodeReady(node), now);
    toggle(h.cordoned, node.spec?.unschedulable === true, now);
    const bootID = node.status?.nodeInfo?.bootID;
    if (bootID !== undefined && h.bootIDs.at(-1) !== bootID) h.bootIDs.push(bootID);
    const notReady = nodes.items().filter((n) => !isNodeReady(n)).length;
    maxNotReady = Math.max(maxNotReady, notReady);
  };

  const observeLock = (ds: DaemonSet): void => {
    if (ds.metadata.namespace !== lock.namespace || ds.metadata.name !== lock.name) return;
    const value = ds.metadata.annotations?.[KURED_LOCK_ANNOTATION];
    if (locks.length === 0 || locks.at(-1) !== value) locks.push(value);
  };

  for (const node of nodes.items()) observe(node);
  for (const ds of daemonSets.items()) observeLock(ds);
  const offNodes = nodes.onEvent((type, node) => {
    if (type !== 'DELETED') observe(node);
  });
  const offLocks = daemonSets.onEvent((type, ds) => {
    if (type !== 'DELETED') observeLock(ds);
  });

  return {
    node: history,
    maxNotReadyAtOnce: () => maxNotReady,
    lockValues: () => [...locks],
    stop() {
      offNodes();
      offLocks();
    },
  };
}
