// kured 1.23 as deployed for one window, with time compressed: a pod on every node the selector
// matches; each checks every period and, inside the window, for a node needing a reboot takes a
// lock slot, cordons, drains (one eviction at a time, retrying refused ones) and reboots. When its
// pod comes back on the rebooted node it uncordons (unless the node was cordoned before) and
// releases the slot — outside the window too, as kured does at start-up. Once stopped (the
// DaemonSet deleted) it does nothing more: a reboot already commanded completes, nothing is released.
import { matchesLabels, type LabelSelector } from '../../../core/cluster/label-selector.ts';
import type { RebootDaemonSpec } from '../../../core/ports/cluster-port.ts';
import { PROTECTED_DEPLOYMENT, PROTECTING_BUDGET } from './initial-cluster.ts';
import { KuredLock } from './kured-lock.ts';
import type { SimulatedNode, SimulatedPod } from './simulated-node.ts';
import type { SimulationWorld } from './simulation-world.ts';

/** What kured's pod on a node is doing; no entry while the node has no running kured pod. */
type KuredPodState = 'idle' | 'draining' | 'waiting-for-reboot';

export class KuredDaemon {
  readonly spec: RebootDaemonSpec;
  /** The lock lives in an annotation on the DaemonSet: it goes when the daemon goes. */
  readonly lock: KuredLock;
  readonly #selector: LabelSelector;
  readonly #world: SimulationWorld;
  readonly #pods = new Map<string, KuredPodState>();
  #running = false;

  constructor(world: SimulationWorld, spec: RebootDaemonSpec, selector: LabelSelector) {
    this.#world = world;
    this.spec = spec;
    this.#selector = selector;
    this.lock = new KuredLock(spec.concurrency, () => this.#world.now);
  }

  start(): void {
    this.#running = true;
    const period = this.#world.timings.kuredPeriodMs;
    for (const node of this.#world.nodes) {
      // kured starts its loop after a random delay of 0.5–1.5 periods, so pods do not tick in step.
      const firstCheck = Math.round(period * (0.5 + this.#world.random.next()));
      this.#world.schedule(firstCheck, () => {
        this.#check(node);
      });
    }
  }

  stop(): void {
    this.#running = false;
    for (const node of this.#world.nodes) {
      if (this.#pods.get(node.name) === 'draining') this.#abandonDrain(node);
    }
    this.#pods.clear();
  }

  #runsOn(node: SimulatedNode): boolean {
    return matchesLabels(this.#selector, node.labels);
  }

  #windowOpen(): boolean {
    const now = this.#world.now;
    return this.spec.start.getTime() <= now && now < this.spec.end.getTime();
  }

  /** One tick of the kured pod on `node` (kured's rebootAsRequired loop). */
  #check(node: SimulatedNode): void {
    if (!this.#running) return;
    this.#world.schedule(this.#world.timings.kuredPeriodMs, () => {
      this.#check(node);
    });
    if (!this.#runsOn(node)) {
      // The DaemonSet controller deletes the pod of a node that stopped matching (a drain notices by itself).
      if (this.#pods.get(node.name) === 'idle') this.#pods.delete(node.name);
      return;
    }
    // kured's pod does not run while its node is down.
    if (!node.ready) return;
    if (!this.#pods.has(node.name)) this.#startPod(node);
    if (this.#pods.get(node.name) !== 'idle') return;
    if (!this.#windowOpen() || node.pendingReboot === undefined) return;
    if (!this.lock.tryAcquire(node.name, node.unschedulable)) return;
    this.#cordonAndDrain(node);
  }

  /** kured at start-up: a node it holds the lock for that no longer needs a reboot is finished. */
  #startPod(node: SimulatedNode): void {
    this.#pods.set(node.name, 'idle');
    if (!this.lock.holds(node.name) || node.pendingReboot !== undefined) return;
    if (this.lock.wasUnschedulable(node.name) !== true) this.#world.uncordon(node);
    this.lock.release(node.name);
  }

  #cordonAndDrain(node: SimulatedNode): void {
    this.#pods.set(node.name, 'draining');
    this.#world.cordon(node);
    const drainStart = this.#world.now;
    // A separate step, so watchers see the cordon before the drain.
    this.#world.schedule(0, () => {
      if (!this.#stillDraining(node)) return;
      node.drain = { podsLeft: this.#world.podsOn(node.name).length, blockedBy: undefined };
      this.#world.nodesChanged();
      this.#world.schedule(this.#world.timings.evictionIntervalMs, () => {
        this.#evictNext(node, drainStart);
      });
    });
  }

  #stillDraining(node: SimulatedNode): boolean {
    if (!this.#running || this.#pods.get(node.name) !== 'draining') return false;
    if (this.#runsOn(node)) return true;
    // The node stopped matching: the DaemonSet controller deleted kured's pod mid-drain.
    this.#abandonDrain(node);
    this.#pods.delete(node.name);
    return false;
  }

  #evictNext(node: SimulatedNode, drainStart: number): void {
    if (!this.#stillDraining(node)) return;
    const pods = this.#world.podsOn(node.name);
    const evictable = pods.find((pod) => !this.#refusesEviction(pod, drainStart));
    if (evictable !== undefined) this.#world.evict(evictable);
    const podsLeft = evictable === undefined ? pods.length : pods.length - 1;
    if (podsLeft === 0) {
      node.drain = undefined;
      this.#pods.set(node.name, 'waiting-for-reboot');
      this.#world.reboot(node, () => {
        this.#afterReboot(node);
      });
      return;
    }
    const blockedBy = evictable === undefined ? PROTECTING_BUDGET : undefined;
    if (node.drain?.podsLeft !== podsLeft || node.drain.blockedBy !== blockedBy) {
      node.drain = { podsLeft, blockedBy };
      this.#world.nodesChanged();
    }
    this.#world.schedule(this.#world.timings.evictionIntervalMs, () => {
      this.#evictNext(node, drainStart);
    });
  }

  /** The budget allows no disruption of shop/web until a while into each drain. */
  #refusesEviction(pod: SimulatedPod, drainStart: number): boolean {
    return pod.deployment === PROTECTED_DEPLOYMENT && this.#world.now < drainStart + this.#world.timings.budgetRefusalMs;
  }

  /** The node is Ready again; kured's pod on it restarts shortly after. */
  #afterReboot(node: SimulatedNode): void {
    this.#world.schedule(this.#world.timings.kuredRestartMs, () => {
      if (!this.#running) return;
      this.#pods.delete(node.name);
      if (this.#runsOn(node) && node.ready) this.#startPod(node);
    });
  }

  #abandonDrain(node: SimulatedNode): void {
    // Evictions stop; the node stays cordoned.
    node.drain = undefined;
    this.#world.nodesChanged();
  }
}
