// A clock and sleeps that move only when the test says so: advance() wakes sleepers in due order
// and lets whatever they start (promise chains, other sleeps) run before time moves on.
import { setImmediate as nextTurn } from 'node:timers/promises';

interface Sleeper {
  readonly dueMs: number;
  readonly wake: () => void;
}

export class ManualTimers {
  #nowMs: number;
  readonly #sleepers: Sleeper[] = [];

  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  readonly now = (): number => this.#nowMs;

  /** Resolves once time has been advanced by `ms`, or at once when `signal` aborts. */
  readonly sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const sleeper: Sleeper = {
        dueMs: this.#nowMs + ms,
        wake: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.#sleepers.indexOf(sleeper);
        if (index >= 0) this.#sleepers.splice(index, 1);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });

  /** How many sleeps are waiting. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.#nowMs + ms;
    for (;;) {
      await settle();
      const due = this.#sleepers.filter((sleeper) => sleeper.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs)[0];
      if (due === undefined) break;
      this.#sleepers.splice(this.#sleepers.indexOf(due), 1);
      this.#nowMs = Math.max(this.#nowMs, due.dueMs);
      due.wake();
    }
    this.#nowMs = target;
    await settle();
  }

  /** Advances in `stepMs` steps until `done` holds; fails after `maxMs`. Returns the time it took. */
  async advanceUntil(done: () => boolean, maxMs: number, stepMs = 100): Promise<number> {
    const startMs = this.#nowMs;
    await settle();
    while (!done()) {
      if (this.#nowMs - startMs >= maxMs) throw new Error(`condition not reached within ${maxMs} ms of manual time`);
      await this.advance(stepMs);
    }
    return this.#nowMs - startMs;
  }
}

/** Lets promise chains and I/O callbacks that are already due run (loopback fakes answer in a few turns). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) await nextTurn();
}
