// What the core needs from a cluster: nodes with their pending-reboot data and reboot progress,
// the reboot daemon (kured) deployed only for a window, and kured's lock for pause/resume.
// Implemented by the simulated cluster and (later) the Kubernetes adapter.

export interface PendingReboot {
  /** When the agent first saw the sentinel; undefined when unknown. */
  readonly since: Date | undefined;
  /** Packages that asked for the reboot (may be empty). */
  readonly packages: readonly string[];
}

export interface DrainProgress {
  /** Pods still to be evicted from the node. */
  readonly podsLeft: number;
  /** What refuses an eviction right now, e.g. `PodDisruptionBudget shop/web` or `pod shop/web-0`. */
  readonly blockedBy: string | undefined;
}

export interface NodeSnapshot {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The node's Ready condition. */
  readonly ready: boolean;
  /** spec.unschedulable: cordoned. */
  readonly unschedulable: boolean;
  /** status.nodeInfo.bootID: changes on every reboot. */
  readonly bootId: string;
  /** Set while the node's agent reports a pending reboot. */
  readonly pendingReboot: PendingReboot | undefined;
  /** Set while the reboot daemon drains this node. */
  readonly drain: DrainProgress | undefined;
}

export interface RebootDaemonSpec {
  readonly windowId: number;
  /** kured is told this window ([start, end) in `zone`) so it stays inert outside it even if left behind. */
  readonly start: Date;
  readonly end: Date;
  readonly zone: string;
  /** How many nodes may reboot at once (kured --concurrency). */
  readonly concurrency: number;
  /** Kubernetes label selector limiting the nodes the daemon runs on; undefined = all. */
  readonly nodeSelector: string | undefined;
}

export interface RebootDaemonStatus {
  readonly present: boolean;
  /** The window the deployed daemon was configured for. */
  readonly windowId: number | undefined;
  /**
   * Set when the daemon is there but part of what was deployed with it for its window is gone
   * (e.g. its safety-net Job was deleted): deploying the window again restores it.
   */
  readonly incomplete?: string | undefined;
}

/** One entry of kured's lock: who holds it, since when, and for how long kured lets it be held. */
export interface LockHolding {
  /** A node name (kured's nodeID), or a hold marker while paused. */
  readonly holder: string;
  /** When the holder took the lock; undefined when the lock does not say. */
  readonly since: Date | undefined;
  /** The lock's time to live (kured --lock-ttl); undefined when it has none (kured writes 0). */
  readonly ttlMs: number | undefined;
}

export interface RebootLock {
  /** Current holders: node names, or hold markers while paused. */
  readonly holders: readonly string[];
  readonly maxOwners: number;
  /** The same holders, in the same order, with when each took the lock and its time to live. */
  readonly holdings: readonly LockHolding[];
}

export interface ClusterPort {
  /** One line for logs and the start-up banner, e.g. "simulated cluster, 6 nodes". */
  readonly description: string;
  readonly simulated: boolean;
  nodes(): Promise<NodeSnapshot[]>;
  /** Calls `listener` with every node whenever any node changes; returns a function that stops it. */
  watchNodes(listener: (nodes: readonly NodeSnapshot[]) => void): () => void;
  rebootDaemon(): Promise<RebootDaemonStatus>;
  /** Idempotent: deploying the same window again changes nothing; another window's daemon is replaced. */
  deployRebootDaemon(spec: RebootDaemonSpec): Promise<void>;
  /** Idempotent: removing an absent daemon succeeds. */
  removeRebootDaemon(): Promise<void>;
  readLock(): Promise<RebootLock>;
  /** Occupies every free slot of kured's lock under `owner`, so no further node starts rebooting (pause). */
  holdRebootLock(owner: string): Promise<void>;
  /** Gives back the slots taken by holdRebootLock(owner) (resume). */
  releaseRebootLock(owner: string): Promise<void>;
  /**
   * Frees the lock entry of `holder` (a stuck node's) if it still holds it and, when `since` is
   * given, has held it since then (not a later acquisition). False when there was nothing to free.
   */
  releaseLockHolder(holder: string, since?: Date): Promise<boolean>;
}
