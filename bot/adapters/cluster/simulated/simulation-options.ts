// What can be tuned about the simulated cluster. The defaults compress kured's minutes into
// seconds, so a demo window with four pending nodes finishes in well under a minute.

export interface SimulationTimings {
  /** How often each kured pod checks for a pending reboot (kured --period; the bot deploys 1m). Default 1000. */
  readonly kuredPeriodMs: number;
  /** Between two pod evictions of a drain, and between retries of a refused eviction. Default 300. */
  readonly evictionIntervalMs: number;
  /** How long the PodDisruptionBudget of shop/web refuses evictions, counted from the start of each drain. Default 4000. */
  readonly budgetRefusalMs: number;
  /** From the reboot command (node NotReady) until the node is up again with a new boot id. Default 3000. */
  readonly shutdownMs: number;
  /** From the new boot id until the kubelet reports Ready. Default 2000. */
  readonly bootMs: number;
  /** From Ready until kured's restarted pod has uncordoned the node and released the lock. Default 1000. */
  readonly kuredRestartMs: number;
}

export interface SimulatedClusterOptions {
  /** Nodes `sim-node-1` … Default 6. */
  readonly nodeCount?: number;
  /** Nodes needing a reboot when the simulation starts (and after reset). Default 4. */
  readonly pendingAtStart?: number;
  /** Seed of everything random: which nodes are pending, packages, pods, boot ids, kured's start jitter. Default 1. */
  readonly seed?: number;
  readonly timings?: Partial<SimulationTimings>;
}

export interface ResolvedSimulationOptions {
  readonly nodeCount: number;
  readonly pendingAtStart: number;
  readonly seed: number;
  readonly timings: SimulationTimings;
}

export const DEFAULT_TIMINGS: SimulationTimings = {
  kuredPeriodMs: 1000,
  evictionIntervalMs: 300,
  budgetRefusalMs: 4000,
  shutdownMs: 3000,
  bootMs: 2000,
  kuredRestartMs: 1000,
};

export function resolveSimulationOptions(options: SimulatedClusterOptions): ResolvedSimulationOptions {
  const nodeCount = options.nodeCount ?? 6;
  const pendingAtStart = options.pendingAtStart ?? 4;
  const seed = options.seed ?? 1;
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new RangeError(`nodeCount must be a positive integer, not ${nodeCount}`);
  if (!Number.isInteger(pendingAtStart) || pendingAtStart < 0 || pendingAtStart > nodeCount) {
    throw new RangeError(`pendingAtStart must be an integer from 0 to nodeCount (${nodeCount}), not ${pendingAtStart}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, not ${seed}`);
  for (const [name, value] of Object.entries(timings)) {
    // A zero period would make a kured pod tick forever at one instant.
    const minimum = name === 'kuredPeriodMs' || name === 'evictionIntervalMs' ? 1 : 0;
    if (!Number.isFinite(value) || value < minimum) throw new RangeError(`timings.${name} must be a number ≥ ${minimum}, not ${value}`);
  }
  return { nodeCount, pendingAtStart, seed, timings };
}
