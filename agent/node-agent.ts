// The agent's loop: scan on start, on file events (file mode), and on a jittered period (the only
// trigger in command mode, a fallback in file mode); keep the detection state; hand every new
// state to the reporter. A failed scan is logged and counted and leaves the state as it was.
import { EventEmitter } from 'node:events';
import type { Logger } from '../bot/adapters/logging/create-logger.ts';
import { nextDetectionState, pendingTransition } from './core/detection.ts';
import type { DetectionState } from './core/detection.ts';
import { jittered } from './core/timing.ts';
import type { Random } from './core/timing.ts';
import type { AgentMetrics } from './ports/agent-metrics.ts';
import { DetectionError } from './ports/detector.ts';
import type { Detector } from './ports/detector.ts';
import type { Timers } from './ports/timers.ts';

/** Something that says "look again" (the directory watcher). */
export interface ChangeSource {
  start(): void;
  stop(): void;
}

export interface StateSink {
  publish(state: DetectionState): void;
  msUntilHeartbeat(now: Date): number | undefined;
}

export interface NodeAgentOptions {
  readonly detector: Detector;
  readonly reporter: StateSink;
  readonly now: () => Date;
  readonly timers: Timers;
  readonly random: Random;
  readonly scanIntervalMs: number;
  readonly metrics: AgentMetrics;
  readonly logger: Logger;
  /** File events come in bursts (sentinel, then its .pkgs file): scan once they settle. */
  readonly settleMs?: number;
}

export interface NodeAgentEvents {
  scanned: [state: DetectionState];
  'scan-failed': [error: Error];
}

export const EVENT_SETTLE_MS = 100;
/** Periodic scans never come closer together than this, even when a heartbeat is overdue. */
const MIN_PERIOD_MS = 1000;

export class NodeAgent extends EventEmitter<NodeAgentEvents> {
  readonly #options: NodeAgentOptions;
  #state: DetectionState | undefined;
  #lastWarning: string | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #cancelPeriodic: (() => void) | undefined;
  #cancelSettle: (() => void) | undefined;
  #stopped = true;

  constructor(options: NodeAgentOptions) {
    super();
    this.#options = options;
  }

  get state(): DetectionState | undefined {
    return this.#state;
  }

  start(): void {
    this.#stopped = false;
    this.scanNow();
  }

  /** Scan as soon as possible (after the scan in progress, if any). */
  scanNow(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#scan().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.scanNow();
      }
    });
  }

  /** A change event: scan once events have been quiet for `settleMs`. */
  changed(): void {
    if (this.#stopped) return;
    this.#cancelSettle?.();
    this.#cancelSettle = this.#options.timers.after(this.#options.settleMs ?? EVENT_SETTLE_MS, () => {
      this.#cancelSettle = undefined;
      this.scanNow();
    });
  }

  /** Resolves when no scan is running or queued. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelPeriodic?.();
    this.#cancelSettle?.();
    await this.idle();
  }

  async #scan(): Promise<void> {
    const { detector, metrics, logger, reporter } = this.#options;
    try {
      const observation = await detector.scan();
      const now = this.#options.now();
      const previous = this.#state;
      const state = nextDetectionState(previous, observation, now);
      this.#state = state;
      metrics.scanned(state);
      const transition = pendingTransition(previous, state);
      if (transition === 'became-pending') logger.info({ since: state.since, packages: state.packages, evidence: state.evidence }, 'reboot required');
      else if (transition === 'cleared' || previous === undefined) logger.info({ evidence: state.evidence }, 'no reboot required');
      if (observation.warning !== this.#lastWarning && observation.warning !== undefined) logger.warn(observation.warning);
      this.#lastWarning = observation.warning;
      reporter.publish(state);
      this.emit('scanned', state);
    } catch (error: unknown) {
      const failure = error instanceof DetectionError ? error : new DetectionError('io', `scan failed: ${String(error)}`, { cause: error });
      metrics.scanFailed(failure.kind);
      logger.warn({ err: failure, kind: failure.kind }, `scan failed, the reported state stays as it was: ${failure.message}`);
      this.emit('scan-failed', failure);
    } finally {
      this.#schedulePeriodic();
    }
  }

  /** The next periodic scan: the scan interval, or sooner when the heartbeat is due sooner; jittered. */
  #schedulePeriodic(): void {
    if (this.#stopped) return;
    this.#cancelPeriodic?.();
    const untilHeartbeat = this.#options.reporter.msUntilHeartbeat(this.#options.now());
    // An overdue heartbeat means writes are failing (the reporter retries on its own): keep the normal pace.
    const heartbeatSooner = untilHeartbeat !== undefined && untilHeartbeat > 0 ? untilHeartbeat : Number.POSITIVE_INFINITY;
    const base = Math.min(this.#options.scanIntervalMs, heartbeatSooner);
    const delayMs = Math.max(MIN_PERIOD_MS, jittered(base, this.#options.random));
    this.#cancelPeriodic = this.#options.timers.after(delayMs, () => {
      this.#cancelPeriodic = undefined;
      this.scanNow();
    });
  }
}
