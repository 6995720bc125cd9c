// Moving a hand-stepped bot through simulated time: the clock, then the simulated cluster, then
// the engine's tick, then the outbox. Shared by the engine, Slack and Teams harnesses.
import type { SimulatedCluster } from '../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { MaintenanceEngine } from '../../bot/core/engine/maintenance-engine.ts';
import type { OutboxDispatcher } from '../../bot/core/outbox/outbox-dispatcher.ts';
import type { ManualClock } from './manual-clock.ts';

export interface Stepping {
  /** Moves time on by `ms` and lets the cluster, the engine and the outbox catch up. */
  readonly step: (ms: number) => Promise<void>;
  /** Steps until `done` holds; fails after `maxMs` of simulated time, quoting the last logs. */
  readonly runUntil: (done: () => Promise<boolean> | boolean, maxMs: number, stepMs?: number) => Promise<number>;
}

export function stepping(parts: {
  readonly clock: ManualClock;
  readonly cluster: SimulatedCluster;
  readonly engine: MaintenanceEngine;
  readonly dispatcher: OutboxDispatcher;
  readonly logs: readonly string[];
}): Stepping {
  const step = async (ms: number): Promise<void> => {
    parts.clock.advance(ms);
    parts.cluster.advanceTo(parts.clock.now());
    await parts.engine.tick();
    await parts.dispatcher.deliverDue();
  };
  return {
    step,
    runUntil: async (done, maxMs, stepMs = 250) => {
      let elapsed = 0;
      while (!(await done())) {
        if (elapsed >= maxMs) throw new Error(`condition not reached within ${maxMs} ms of simulated time; logs: ${parts.logs.slice(-5).join(' | ')}`);
        await step(stepMs);
        elapsed += stepMs;
      }
      return elapsed;
    },
  };
}
