// Drives a SimulatedCluster with a manual clock (no real timers) and records every node snapshot
// it reports, so tests can replay what each node went through.
import type { NodeSnapshot, RebootDaemonSpec } from '../../../../../../bot/core/ports/cluster-port.ts';
import { SimulatedCluster } from '../../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { SimulatedClusterOptions } from '../../../../../../bot/adapters/cluster/simulated/simulation-options.ts';
import { ManualClock } from '../../../../../support/manual-clock.ts';

export const START = new Date('2026-03-10T14:00:00.000Z');

export interface Observation {
  /** Simulated milliseconds since START. */
  readonly at: number;
  readonly nodes: readonly NodeSnapshot[];
}

export class SimulationHarness {
  readonly clock = new ManualClock(START);
  readonly cluster: SimulatedCluster;
  readonly observations: Observation[] = [];

  constructor(options: SimulatedClusterOptions = {}) {
    this.cluster = new SimulatedCluster(this.clock, options);
    this.cluster.watchNodes((nodes) => {
      this.observations.push({ at: this.cluster.now.getTime() - START.getTime(), nodes });
    });
  }

  /** Simulated milliseconds since START. */
  get elapsed(): number {
    return this.cluster.now.getTime() - START.getTime();
  }

  /** Moves the clock and the simulation to `ms` after START. */
  advanceTo(ms: number): void {
    this.clock.advance(START.getTime() + ms - this.clock.now().getTime());
    this.cluster.advanceTo(this.clock.now());
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.elapsed + ms);
  }

  /** Advances in steps of `stepMs` until `done` holds (checked after each step) or `limitMs` after START. */
  async runUntil(done: () => boolean | Promise<boolean>, limitMs: number, stepMs = 100, afterStep?: () => Promise<void>): Promise<void> {
    while (!(await done())) {
      if (this.elapsed >= limitMs) throw new Error(`not done ${limitMs} ms after start`);
      this.advanceBy(stepMs);
      await afterStep?.();
    }
  }

  async node(name: string): Promise<NodeSnapshot> {
    const node = (await this.cluster.nodes()).find((candidate) => candidate.name === name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  async pendingNames(): Promise<string[]> {
    return (await this.cluster.nodes()).filter((node) => node.pendingReboot !== undefined).map((node) => node.name);
  }

  /** Every recorded snapshot of one node, in order. */
  historyOf(name: string): NodeSnapshot[] {
    return this.observations.flatMap((observation) => observation.nodes.filter((node) => node.name === name));
  }
}

export function windowSpec(overrides: Partial<RebootDaemonSpec> = {}): RebootDaemonSpec {
  return {
    windowId: 1,
    start: new Date(START.getTime()),
    end: new Date(START.getTime() + 3_600_000),
    zone: 'UTC',
    concurrency: 1,
    nodeSelector: undefined,
    ...overrides,
  };
}

/** A node is busy from the cordon until the uncordon (or for as long as it is down or draining). */
export function isBusy(node: NodeSnapshot): boolean {
  return node.unschedulable || !node.ready || node.drain !== undefined;
}

export type Phase = 'pending' | 'cordoned' | 'draining' | 'blocked' | 'not-ready' | 'new-boot' | 'back-cordoned' | 'done' | 'idle';

/** Where a node is in kured's sequence, judged from one snapshot and its boot id before the window. */
export function phaseOf(node: NodeSnapshot, originalBootId: string): Phase {
  const rebooted = node.bootId !== originalBootId;
  if (node.drain?.blockedBy !== undefined) return 'blocked';
  if (node.drain !== undefined) return 'draining';
  if (!node.ready) return rebooted ? 'new-boot' : 'not-ready';
  if (node.unschedulable) return rebooted ? 'back-cordoned' : 'cordoned';
  if (rebooted) return 'done';
  return node.pendingReboot === undefined ? 'idle' : 'pending';
}

/** The phases a node went through, consecutive repeats collapsed. */
export function phasesOf(history: readonly NodeSnapshot[], originalBootId: string): Phase[] {
  const phases: Phase[] = [];
  for (const snapshot of history) {
    const phase = phaseOf(snapshot, originalBootId);
    if (phases.at(-1) !== phase) phases.push(phase);
  }
  return phases;
}
