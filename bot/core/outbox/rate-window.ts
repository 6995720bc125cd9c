// A rolling rate limit: at most `count` events in any `perMs`. Pure: the caller says what time it
// is, records what it did, and asks how long to wait before the next one. Slack's chat.update is
// limited per workspace (tier 3: about 50 a minute), not per message, so one window spans them all.

export interface RateLimit {
  readonly count: number;
  readonly perMs: number;
}

export class RateWindow {
  readonly #limit: RateLimit;
  /** Times of the events still inside the window, oldest first. */
  readonly #times: number[] = [];

  constructor(limit: RateLimit) {
    if (!Number.isInteger(limit.count) || limit.count < 1) throw new RangeError(`a rate limit needs a positive whole count, not ${limit.count}`);
    if (!Number.isFinite(limit.perMs) || limit.perMs <= 0) throw new RangeError(`a rate limit needs a positive period, not ${limit.perMs} ms`);
    this.#limit = limit;
  }

  /** Milliseconds until one more event at `now` stays within the limit; 0 when it does now. */
  waitMs(now: number): number {
    this.#forget(now);
    if (this.#times.length < this.#limit.count) return 0;
    const oldest = this.#times[this.#times.length - this.#limit.count] ?? now;
    return Math.max(0, oldest + this.#limit.perMs - now);
  }

  /** Counts an event at `now` (an attempt counts even when it fails: the platform counts it). */
  record(now: number): void {
    this.#forget(now);
    this.#times.push(now);
  }

  #forget(now: number): void {
    while (this.#times.length > 0 && (this.#times[0] ?? now) <= now - this.#limit.perMs) this.#times.shift();
  }
}
