// Everything in the simulated cluster that is not kured: simulated time and its queue of due
// actions, the nodes and their hardware (a reboot takes the node down and brings it back with a
// new boot id), and the pods, which the "scheduler" puts back on another node when evicted.
import { EventQueue } from './event-queue.ts';
import { buildInitialCluster } from './initial-cluster.ts';
import { SeededRandom } from './seeded-random.ts';
import type { ResolvedSimulationOptions, SimulationTimings } from './simulation-options.ts';
import { clearPending, type SimulatedNode, type SimulatedPod } from './simulated-node.ts';

export class SimulationWorld {
  readonly random: SeededRandom;
  readonly timings: SimulationTimings;
  readonly nodes: readonly SimulatedNode[];
  readonly pods: readonly SimulatedPod[];
  readonly #queue = new EventQueue();
  #now: number;
  #changed = false;

  /** A fresh, seeded cluster at simulated instant `now` (milliseconds since the epoch). */
  constructor(options: ResolvedSimulationOptions, now: number) {
    this.random = new SeededRandom(options.seed);
    this.timings = options.timings;
    this.#now = now;
    const contents = buildInitialCluster(this.random, options.nodeCount, options.pendingAtStart, now);
    this.nodes = contents.nodes;
    this.pods = contents.pods;
  }

  get now(): number {
    return this.#now;
  }

  /** Runs `action` `delayMs` after now (0: after everything already due now). */
  schedule(delayMs: number, action: () => void): void {
    this.#queue.schedule(this.#now + delayMs, action);
  }

  /** Runs the earliest action due at or before `until`, moving time to it; false when none is due. */
  runNext(until: number): boolean {
    const due = this.#queue.takeDue(until);
    if (due === undefined) return false;
    this.#now = Math.max(this.#now, due.at);
    due.run();
    return true;
  }

  /** Moves time forward (never back) once nothing more is due. */
  moveTimeTo(until: number): void {
    this.#now = Math.max(this.#now, until);
  }

  /** Records that some node changed, so watchers hear of it. */
  nodesChanged(): void {
    this.#changed = true;
  }

  /** Whether a node changed since the last call. */
  takeChanged(): boolean {
    const changed = this.#changed;
    this.#changed = false;
    return changed;
  }

  node(name: string): SimulatedNode | undefined {
    return this.nodes.find((node) => node.name === name);
  }

  podsOn(nodeName: string): SimulatedPod[] {
    return this.pods.filter((pod) => pod.nodeName === nodeName);
  }

  cordon(node: SimulatedNode): void {
    node.unschedulable = true;
    this.nodesChanged();
  }

  uncordon(node: SimulatedNode): void {
    node.unschedulable = false;
    this.nodesChanged();
    this.#placeUnscheduledPods();
  }

  /** The evicted pod's Deployment recreates it elsewhere; with nowhere to go it stays Pending. */
  evict(pod: SimulatedPod): void {
    pod.nodeName = this.#schedulingTarget(pod.nodeName)?.name;
  }

  /**
   * The hardware part of a reboot, which no one can stop once commanded: NotReady, then up again
   * with a new boot id (the sentinel lived in /var/run, a tmpfs, so the pending reboot is gone),
   * then Ready. `whenReady` runs at that last step.
   */
  reboot(node: SimulatedNode, whenReady: () => void): void {
    node.ready = false;
    node.power = 'shutting-down';
    this.nodesChanged();
    this.schedule(this.timings.shutdownMs, () => {
      node.bootId = this.random.bootId();
      node.power = 'booting';
      clearPending(node);
      this.nodesChanged();
      this.schedule(this.timings.bootMs, () => {
        node.ready = true;
        node.power = 'up';
        this.nodesChanged();
        this.#placeUnscheduledPods();
        whenReady();
      });
    });
  }

  /** Like the scheduler's spreading: the schedulable, Ready node with the fewest pods (first in order on a tie). */
  #schedulingTarget(excluded: string | undefined): SimulatedNode | undefined {
    let best: SimulatedNode | undefined;
    let bestCount = Number.POSITIVE_INFINITY;
    for (const node of this.nodes) {
      if (node.name === excluded || node.unschedulable || !node.ready) continue;
      const count = this.podsOn(node.name).length;
      if (count < bestCount) {
        best = node;
        bestCount = count;
      }
    }
    return best;
  }

  #placeUnscheduledPods(): void {
    for (const pod of this.pods) {
      if (pod.nodeName === undefined) pod.nodeName = this.#schedulingTarget(undefined)?.name;
    }
  }
}
