// The in-memory cluster the bot runs against when no real one is configured (and the tests'
// cluster): seeded nodes that need reboots and a kured that cordons, drains and reboots them in
// seconds. It never reads the system clock: advanceTo(now) runs everything due up to `now`, and
// each port call first catches up with the Clock it was given (SimulationDriver does the advancing
// for the running bot).
import { parseLabelSelector, EVERY_LABEL, type LabelSelector } from '../../../core/cluster/label-selector.ts';
import type {
  ClusterPort,
  NodeSnapshot,
  RebootDaemonSpec,
  RebootDaemonStatus,
  RebootLock,
} from '../../../core/ports/cluster-port.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import { randomPackages } from './initial-cluster.ts';
import { KuredDaemon } from './kured-daemon.ts';
import { resolveSimulationOptions, type ResolvedSimulationOptions, type SimulatedClusterOptions } from './simulation-options.ts';
import { markPending, snapshotNode, snapshotPod, type PodSnapshot } from './simulated-node.ts';
import { SimulationWorld } from './simulation-world.ts';

type NodesListener = (nodes: readonly NodeSnapshot[]) => void;

/** kured's lock when no DaemonSet carries it. */
const ABSENT_LOCK: RebootLock = Object.freeze({ holders: Object.freeze([]), maxOwners: 1, holdings: Object.freeze([]) });

export class SimulatedCluster implements ClusterPort {
  readonly simulated = true;
  readonly description: string;
  readonly #clock: Clock;
  readonly #options: ResolvedSimulationOptions;
  readonly #listeners = new Set<NodesListener>();
  #world: SimulationWorld;
  #daemon: KuredDaemon | undefined;
  #advancing = false;

  /** Throws RangeError for impossible options (no nodes, more pending than nodes, negative timings). */
  constructor(clock: Clock, options: SimulatedClusterOptions = {}) {
    this.#clock = clock;
    this.#options = resolveSimulationOptions(options);
    this.#world = new SimulationWorld(this.#options, clock.now().getTime());
    this.description = `simulated cluster, ${this.#options.nodeCount} nodes`;
  }

  /** The simulated instant: everything due up to it has happened. */
  get now(): Date {
    return new Date(this.#world.now);
  }

  /** Runs, in time order, everything due up to `now`; an earlier `now` than already reached changes nothing. */
  advanceTo(now: Date): void {
    // A listener that reads the cluster while being told of a change must not run the simulation re-entrantly.
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      const until = now.getTime();
      // this.#world is read on each turn: a listener may reset() the simulation.
      while (this.#world.runNext(until)) this.#notifyIfChanged();
      this.#world.moveTimeTo(until);
    } finally {
      this.#advancing = false;
    }
  }

  nodes(): Promise<NodeSnapshot[]> {
    return settle(() => {
      this.#catchUp();
      return this.#world.nodes.map(snapshotNode);
    });
  }

  watchNodes(listener: NodesListener): () => void {
    // Wrapped, so the same function may watch twice and unsubscribe each separately.
    const subscription: NodesListener = (nodes) => {
      listener(nodes);
    };
    this.#listeners.add(subscription);
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  rebootDaemon(): Promise<RebootDaemonStatus> {
    return settle(() => {
      this.#catchUp();
      return { present: this.#daemon !== undefined, windowId: this.#daemon?.spec.windowId };
    });
  }

  deployRebootDaemon(spec: RebootDaemonSpec): Promise<void> {
    return settle(() => {
      this.#catchUp();
      // The same window's daemon is left exactly as it is (lock, holds and progress included).
      if (this.#daemon?.spec.windowId === spec.windowId) return;
      if (!Number.isInteger(spec.concurrency) || spec.concurrency < 1) {
        throw new RangeError(`reboot daemon concurrency must be a positive integer, not ${spec.concurrency}`);
      }
      const selector = nodeSelector(spec.nodeSelector);
      this.#daemon?.stop();
      this.#daemon = new KuredDaemon(this.#world, copySpec(spec), selector);
      this.#daemon.start();
      this.#notifyIfChanged();
    });
  }

  removeRebootDaemon(): Promise<void> {
    return settle(() => {
      this.#catchUp();
      this.#daemon?.stop();
      this.#daemon = undefined;
      this.#notifyIfChanged();
    });
  }

  readLock(): Promise<RebootLock> {
    return settle(() => {
      this.#catchUp();
      const lock = this.#daemon?.lock;
      if (lock === undefined) return ABSENT_LOCK;
      // The simulated kured is deployed without a lock TTL: the bot judges its locks by the configured one.
      const holdings = lock.holdings().map(({ holder, since }) => ({ holder, since: new Date(since), ttlMs: undefined }));
      return { holders: lock.holders(), maxOwners: lock.maxOwners, holdings };
    });
  }

  /** Rejects when no daemon is deployed: the lock is an annotation on its DaemonSet. */
  holdRebootLock(owner: string): Promise<void> {
    return settle(() => {
      this.#catchUp();
      if (owner === '') throw new RangeError('the reboot lock cannot be held by an empty owner');
      if (this.#daemon === undefined) throw new Error('cannot hold the reboot lock: the reboot daemon is not deployed');
      this.#daemon.lock.hold(owner);
    });
  }

  releaseRebootLock(owner: string): Promise<void> {
    return settle(() => {
      this.#catchUp();
      this.#daemon?.lock.releaseHold(owner);
    });
  }

  releaseLockHolder(holder: string, since?: Date): Promise<boolean> {
    return settle(() => {
      this.#catchUp();
      return this.#daemon?.lock.releaseHolder(holder, since?.getTime()) ?? false;
    });
  }

  /**
   * As if the node's agent had found a reboot sentinel: pending from now with `packages` (seeded
   * ones when omitted). A node already pending keeps its `since` and gains the packages.
   * Throws for an unknown node.
   */
  makePending(nodeName: string, packages?: readonly string[]): void {
    this.#catchUp();
    const node = this.#world.node(nodeName);
    if (node === undefined) {
      const names = this.#world.nodes.map((candidate) => candidate.name);
      throw new Error(`no node named "${nodeName}" in the simulated cluster; nodes: ${names.join(', ')}`);
    }
    const current = node.pendingReboot;
    if (current === undefined) {
      markPending(node, { since: new Date(this.#world.now), packages: [...(packages ?? randomPackages(this.#world.random))] });
    } else if (packages !== undefined) {
      markPending(node, { since: current.since, packages: [...new Set([...current.packages, ...packages])] });
    } else {
      return;
    }
    this.#world.nodesChanged();
    this.#notifyIfChanged();
  }

  /** Back to the seeded initial state (time goes on); the daemon, its lock and everything in flight are gone. */
  reset(): void {
    this.#catchUp();
    this.#daemon?.stop();
    this.#daemon = undefined;
    this.#world = new SimulationWorld(this.#options, this.#world.now);
    this.#world.nodesChanged();
    this.#notifyIfChanged();
  }

  /** Every pod and where it runs, for the console's `sim` commands and tests. */
  pods(): PodSnapshot[] {
    this.#catchUp();
    return this.#world.pods.map(snapshotPod);
  }

  #catchUp(): void {
    this.advanceTo(this.#clock.now());
  }

  #notifyIfChanged(): void {
    if (!this.#world.takeChanged() || this.#listeners.size === 0) return;
    const nodes = Object.freeze(this.#world.nodes.map(snapshotNode));
    // Every listener hears of the change even when one throws; the first error is then rethrown.
    const errors: unknown[] = [];
    for (const listener of [...this.#listeners]) {
      try {
        listener(nodes);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/** The port's calls are asynchronous: a throw becomes a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function nodeSelector(text: string | undefined): LabelSelector {
  if (text === undefined) return EVERY_LABEL;
  const parsed = parseLabelSelector(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.selector;
}

/** The caller keeps its spec; later changes to it (or its Dates) do not reach the deployed daemon. */
function copySpec(spec: RebootDaemonSpec): RebootDaemonSpec {
  return { ...spec, start: new Date(spec.start.getTime()), end: new Date(spec.end.getTime()) };
}
