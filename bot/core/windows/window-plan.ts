// Which nodes a window will reboot and whether they fit, estimated from past windows.
import type { NodeSnapshot } from '../ports/cluster-port.ts';

export interface WindowPlan {
  readonly nodes: readonly string[];
  readonly perNodeMs: number;
  /** Rounds of `concurrency` nodes, each taking perNodeMs. */
  readonly estimateMs: number;
  readonly availableMs: number;
  readonly fits: boolean;
  /** How the per-node time was chosen, for the chat line. */
  readonly basis: string;
}

export interface PlanInput {
  readonly nodes: readonly NodeSnapshot[];
  /** Selects the window's nodes among all; undefined selects all. */
  readonly selects: (node: NodeSnapshot) => boolean;
  readonly concurrency: number;
  readonly from: Date;
  readonly end: Date;
  /** Cordon-to-done durations of nodes in past windows, newest first. */
  readonly history: readonly number[];
  readonly defaultPerNodeMs: number;
}

/** How many past durations the estimate looks at: recent behaviour predicts best. */
const HISTORY_SAMPLE = 50;

export function planWindow(input: PlanInput): WindowPlan {
  const nodes = input.nodes.filter((node) => node.pendingReboot !== undefined && input.selects(node)).map((node) => node.name).sort();
  const sample = input.history.slice(0, HISTORY_SAMPLE);
  const perNodeMs = sample.length === 0 ? input.defaultPerNodeMs : percentile(sample, 0.9);
  const basis = sample.length === 0 ? 'default, no history yet' : `90th percentile of the last ${sample.length} reboots`;
  const rounds = Math.ceil(nodes.length / Math.max(1, input.concurrency));
  const estimateMs = rounds * perNodeMs;
  const availableMs = Math.max(0, input.end.getTime() - input.from.getTime());
  return { nodes, perNodeMs, estimateMs, availableMs, fits: estimateMs <= availableMs, basis };
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}
