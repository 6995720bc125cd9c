// What one scan saw, and the detection state the agent reports: whether a reboot is pending,
// since when, and for which packages. Pure: "now" is passed in.
import type { DetectionReason } from './node-contract.ts';

/** The outcome of one successful scan (a failed scan produces no observation). */
export interface Observation {
  readonly pending: boolean;
  readonly reason: DetectionReason;
  /** Packages that asked for the reboot, when the detector knows them. */
  readonly packages: readonly string[];
  /** When the reboot became necessary, if the detector can tell (the sentinel file's mtime). */
  readonly pendingSince?: Date | undefined;
  /** One line saying what was seen, e.g. `/var/run/reboot-required exists`; used in the node condition. */
  readonly evidence: string;
  /** Something the operator should know although the scan succeeded (e.g. an unreadable package list). */
  readonly warning?: string | undefined;
}

export interface DetectionState {
  readonly pending: boolean;
  readonly reason: DetectionReason;
  readonly packages: readonly string[];
  /** Set exactly while pending. */
  readonly since: Date | undefined;
  readonly evidence: string;
  readonly scannedAt: Date;
}

export function nextDetectionState(previous: DetectionState | undefined, observation: Observation, now: Date): DetectionState {
  return {
    pending: observation.pending,
    reason: observation.reason,
    packages: observation.pending ? observation.packages : [],
    since: observation.pending ? pendingSince(previous, observation, now) : undefined,
    evidence: observation.evidence,
    scannedAt: now,
  };
}

/** A pending reboot keeps its first "since"; a clock skewed into the future never reports one ahead of now. */
function pendingSince(previous: DetectionState | undefined, observation: Observation, now: Date): Date {
  if (previous?.pending === true && previous.since !== undefined) return previous.since;
  const seen = observation.pendingSince;
  return seen !== undefined && seen.getTime() <= now.getTime() ? seen : now;
}

/** How the pending flag moved between two states, for the log line that says so. */
export function pendingTransition(previous: DetectionState | undefined, next: DetectionState): 'became-pending' | 'cleared' | undefined {
  if (next.pending && previous?.pending !== true) return 'became-pending';
  if (!next.pending && previous?.pending === true) return 'cleared';
  return undefined;
}
