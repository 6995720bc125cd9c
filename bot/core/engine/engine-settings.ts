// The rules a running engine applies, from configuration.
import type { ApprovalSettings } from '../windows/approval-policy.ts';
import type { ProgressSettings } from '../windows/node-progress.ts';

export interface EngineSettings {
  readonly approvals: ApprovalSettings & {
    /** Whether on-demand windows need an approval at all. */
    readonly required: boolean;
    /** An unapproved on-demand request expires after this long. */
    readonly requestTtlMs: number;
    /** Scheduled windows ask for approval this long before their start. */
    readonly leadMs: number;
  };
  readonly defaultZone: string;
  readonly defaultConcurrency: number;
  readonly maxConcurrency: number;
  readonly progress: ProgressSettings;
  /** Per-node estimate before any history exists. */
  readonly defaultPerNodeMs: number;
  /** How often the stored state is compared with the cluster. */
  readonly reconcileEveryMs: number;
  /** The pending-nodes digest is repeated this often even without changes. */
  readonly digestEveryMs: number;
  /** kured's --lock-ttl, for judging a lock that carries no TTL of its own (default DEFAULT_KURED_LOCK_TTL_MS). */
  readonly kuredLockTtlMs?: number;
}

/** kured's lock TTL as patchwindow deploys it (--lock-ttl=30m). */
export const DEFAULT_KURED_LOCK_TTL_MS = 30 * 60_000;

export const MAX_WINDOW_MS = 7 * 24 * 3600 * 1000;
