// Writes the detection state to the Node: only what changed, plus the heartbeat when due. One
// write at a time, always of the latest state; API failures are retried with exponential backoff
// and jitter, so an unreachable API server never turns into a crash loop or a thundering herd.
import type { Logger } from '../bot/adapters/logging/create-logger.ts';
import type { DetectionState } from './core/detection.ts';
import { LAST_SCAN_ANNOTATION } from './core/node-contract.ts';
import { desiredNodeReport } from './core/node-report.ts';
import { knownFromNode, planNodeWrite } from './core/node-write-plan.ts';
import type { KnownNode } from './core/node-write-plan.ts';
import { API_BACKOFF, backoffDelayMs, jittered } from './core/timing.ts';
import type { BackoffPolicy, Random } from './core/timing.ts';
import type { AgentMetrics } from './ports/agent-metrics.ts';
import { NodeApiError } from './ports/node-api.ts';
import type { NodeApi } from './ports/node-api.ts';

export interface NodeReporterOptions {
  readonly api: NodeApi;
  readonly nodeName: string;
  readonly version: string;
  readonly heartbeatIntervalMs: number;
  readonly random: Random;
  /** Waits between retries; resolves early when `signal` aborts (shutdown). */
  readonly delay: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  readonly backoff?: BackoffPolicy;
}

export class NodeReporter {
  readonly #options: NodeReporterOptions;
  readonly #backoff: BackoffPolicy;
  readonly #stopping = new AbortController();
  readonly #forbiddenReported = new Set<string>();
  /** The state still to be written; replaced by newer scans while a write or a retry is pending. */
  #latest: DetectionState | undefined;
  /** What is on the Node as far as the agent knows; undefined: read it first. */
  #known: KnownNode | undefined;
  #nextHeartbeatAt: number | undefined;
  #failures = 0;
  #worker: Promise<void> | undefined;

  constructor(options: NodeReporterOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? API_BACKOFF;
  }

  /** Report this state (it replaces any state not written yet). Returns at once. */
  publish(state: DetectionState): void {
    if (this.#stopping.signal.aborted) return;
    this.#latest = state;
    this.#worker ??= this.#work().finally(() => {
      this.#worker = undefined;
    });
  }

  /** How long until a heartbeat write is due; undefined before the Node has been read. */
  msUntilHeartbeat(now: Date): number | undefined {
    // The agent asks right after publishing, before the write has happened. A state waiting to be
    // written that is due for a heartbeat (or the first write) moves the next heartbeat one interval
    // past its scan; answering 0 ("overdue") here would make the agent fall back to the scan interval.
    const pending = this.#latest;
    if (pending !== undefined && this.#failures === 0 && (this.#nextHeartbeatAt === undefined || pending.scannedAt.getTime() >= this.#nextHeartbeatAt)) {
      return Math.max(0, pending.scannedAt.getTime() + this.#options.heartbeatIntervalMs - now.getTime());
    }
    return this.#nextHeartbeatAt === undefined ? undefined : Math.max(0, this.#nextHeartbeatAt - now.getTime());
  }

  /** Resolves once everything published has been written (or the reporter stopped). */
  async settled(): Promise<void> {
    while (this.#worker !== undefined) await this.#worker;
  }

  /** Ends retries now; a request already sent is allowed to finish. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.settled();
  }

  async #work(): Promise<void> {
    while (this.#latest !== undefined && !this.#stopping.signal.aborted) {
      const state = this.#latest;
      try {
        await this.#write(state);
        this.#failures = 0;
        if (this.#latest === state) this.#latest = undefined;
      } catch (error: unknown) {
        // After a failure the Node may or may not have changed: read it again before the next write.
        this.#known = undefined;
        const delayMs = backoffDelayMs(this.#failures, this.#backoff, this.#options.random);
        this.#failures += 1;
        this.#reportFailure(error, delayMs);
        await this.#options.delay(delayMs, this.#stopping.signal);
      }
    }
  }

  async #write(state: DetectionState): Promise<void> {
    const { api, nodeName, metrics } = this.#options;
    const scannedAt = state.scannedAt;
    let heartbeatDue = this.#heartbeatDue(scannedAt);
    if (this.#known === undefined || heartbeatDue) {
      // Reading on every heartbeat also repairs anything someone else changed or removed.
      this.#known = knownFromNode(await api.readNode(nodeName));
      this.#nextHeartbeatAt ??= this.#heartbeatAfter(this.#known.annotations[LAST_SCAN_ANNOTATION]);
      heartbeatDue = this.#heartbeatDue(scannedAt);
    }
    const plan = planNodeWrite({ desired: desiredNodeReport(state, this.#options.version), known: this.#known, scannedAt, heartbeatDue });
    if (plan.metadata !== undefined) {
      await api.patchNodeMetadata(nodeName, plan.metadata.patch);
      metrics.nodeWritten('nodes');
      this.#known = { ...this.#known, ...plan.metadata.after };
      this.#nextHeartbeatAt = scannedAt.getTime() + jittered(this.#options.heartbeatIntervalMs, this.#options.random);
    }
    if (plan.status !== undefined) {
      await api.patchNodeStatus(nodeName, plan.status.patch);
      metrics.nodeWritten('nodes/status');
      this.#known = { ...this.#known, condition: plan.status.after };
    }
    if (plan.metadata !== undefined || plan.status !== undefined) {
      this.#options.logger.debug({ node: nodeName, metadata: plan.metadata?.patch, status: plan.status?.patch }, 'node report written');
    }
  }

  #heartbeatDue(scannedAt: Date): boolean {
    return this.#nextHeartbeatAt !== undefined && scannedAt.getTime() >= this.#nextHeartbeatAt;
  }

  /** The next heartbeat after the last-scan found on the Node; at once when there is none. */
  #heartbeatAfter(lastScan: string | undefined): number {
    const at = lastScan === undefined ? Number.NaN : Date.parse(lastScan);
    return Number.isNaN(at) ? 0 : at + jittered(this.#options.heartbeatIntervalMs, this.#options.random);
  }

  #reportFailure(error: unknown, retryInMs: number): void {
    const { logger, metrics, nodeName } = this.#options;
    if (!(error instanceof NodeApiError)) {
      logger.error({ err: error, node: nodeName, retryInMs }, 'writing the node report failed unexpectedly; retrying');
      return;
    }
    metrics.apiFailed(error.verb, error.resource, error.status);
    if (error.status === 403) {
      const permission = `${error.verb} ${error.resource}`;
      if (this.#forbiddenReported.has(permission)) {
        logger.debug({ node: nodeName, verb: error.verb, resource: error.resource, retryInMs }, 'still forbidden');
        return;
      }
      this.#forbiddenReported.add(permission);
      logger.error(
        { node: nodeName, verb: error.verb, resource: error.resource, retryInMs },
        `forbidden: the agent's ServiceAccount may not ${error.verb} ${error.resource}; ` +
          `its ClusterRole needs verb "${error.verb}" on resource "${error.resource}" (see manifests/agent/base/rbac.yaml). Retrying with backoff; logged once.`,
      );
      return;
    }
    logger.warn({ err: error, node: nodeName, verb: error.verb, resource: error.resource, status: error.status, retryInMs }, 'Kubernetes API call failed; retrying with backoff');
  }
}
