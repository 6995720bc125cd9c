// Runs the simulated cluster in real time for the running bot: every interval it advances the
// simulation to the clock's now. Tests advance the simulation directly instead.
import type { Clock } from '../../../core/ports/clock.ts';

export interface Advanceable {
  advanceTo(now: Date): void;
}

/** Repeats `callback` every `intervalMs` until the returned function is called. */
export interface IntervalTimer {
  every(intervalMs: number, callback: () => void): () => void;
}

export interface SimulationDriverOptions {
  /** Errors from advancing (a throwing watcher) go here; the driver keeps running. */
  readonly onError: (error: unknown) => void;
  /** Default 200: progress reaches watchers within a fifth of a second. */
  readonly intervalMs?: number;
  readonly timer?: IntervalTimer;
}

const realTimer: IntervalTimer = {
  every(intervalMs, callback) {
    const handle = setInterval(callback, intervalMs);
    // The simulation alone must not keep the process alive at shutdown.
    handle.unref();
    return () => {
      clearInterval(handle);
    };
  },
};

export class SimulationDriver {
  readonly #simulation: Advanceable;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #intervalMs: number;
  readonly #timer: IntervalTimer;
  #stopTimer: (() => void) | undefined;

  constructor(simulation: Advanceable, clock: Clock, options: SimulationDriverOptions) {
    this.#simulation = simulation;
    this.#clock = clock;
    this.#onError = options.onError;
    this.#intervalMs = options.intervalMs ?? 200;
    this.#timer = options.timer ?? realTimer;
    if (!(this.#intervalMs > 0)) throw new RangeError(`intervalMs must be positive, not ${this.#intervalMs}`);
  }

  get running(): boolean {
    return this.#stopTimer !== undefined;
  }

  /** Idempotent. */
  start(): void {
    if (this.#stopTimer !== undefined) return;
    this.#stopTimer = this.#timer.every(this.#intervalMs, () => {
      this.#advance();
    });
  }

  /** Idempotent. */
  stop(): void {
    this.#stopTimer?.();
    this.#stopTimer = undefined;
  }

  #advance(): void {
    try {
      this.#simulation.advanceTo(this.#clock.now());
    } catch (error) {
      this.#onError(error);
    }
  }
}
