// What the core reports for Prometheus: events only (outcomes, durations, retries). State
// (pending nodes, windows, outbox depth) is read at scrape time by the metrics adapter, so the
// core never keeps a second copy of it. Both are optional: without them nothing is reported.
import type { OutboxOperation } from './outbox-repository.ts';

/** How a node's reboot in a window ended; each node of a window gets exactly one. */
export const REBOOT_RESULTS = ['done', 'stuck', 'skipped', 'failed'] as const;
export type RebootResult = (typeof REBOOT_RESULTS)[number];

export interface EngineMetrics {
  /** A node's reboot in a window ended this way (done as it happens, the others when the window closes). */
  nodeFinished(result: RebootResult): void;
  /** From cordon until the reboot began. */
  nodeDrained(durationMs: number): void;
  /** From the reboot's start (NotReady or a new boot id) until the node was Ready again. */
  nodeRebooted(durationMs: number): void;
}

export type OutboxOperationKind = OutboxOperation['kind'];

export interface OutboxMetrics {
  /** A delivery failed with a retryable error; the entry is tried again later. */
  deliveryRetried(operation: OutboxOperationKind): void;
  /** A delivery failed for good; the entry is given up on. */
  deliveryAbandoned(operation: OutboxOperationKind): void;
}
