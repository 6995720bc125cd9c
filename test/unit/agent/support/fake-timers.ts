// Timers that fire only when the test moves time, with a clock that moves along.
import type { Timers } from '../../../../agent/ports/timers.ts';
import { ManualClock } from '../../../support/manual-clock.ts';

interface Scheduled {
  readonly at: number;
  readonly sequence: number;
  readonly callback: () => void;
  cancelled: boolean;
}

export class FakeTimers implements Timers {
  readonly clock: ManualClock;
  readonly #scheduled: Scheduled[] = [];
  #sequence = 0;

  constructor(start: string) {
    this.clock = new ManualClock(start);
  }

  readonly now = (): Date => this.clock.now();

  after(ms: number, callback: () => void): () => void {
    const entry: Scheduled = { at: this.clock.now().getTime() + ms, sequence: this.#sequence++, callback, cancelled: false };
    this.#scheduled.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Delays (ms from now) of the timers still waiting, soonest first. */
  pending(): number[] {
    const now = this.clock.now().getTime();
    return this.#live().map((entry) => entry.at - now);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.clock.now().getTime() + ms;
    for (;;) {
      const next = this.#live()[0];
      if (next === undefined || next.at > end) break;
      this.clock.advance(next.at - this.clock.now().getTime());
      next.cancelled = true;
      next.callback();
    }
    this.clock.advance(end - this.clock.now().getTime());
  }

  /** Moves time to the next timer and fires it; returns how far time moved. */
  fireNext(): number {
    const next = this.#live()[0];
    if (next === undefined) throw new Error('no timer is waiting');
    const delay = next.at - this.clock.now().getTime();
    this.advance(delay);
    return delay;
  }

  #live(): Scheduled[] {
    return this.#scheduled.filter((entry) => !entry.cancelled).sort((a, b) => a.at - b.at || a.sequence - b.sequence);
  }
}
