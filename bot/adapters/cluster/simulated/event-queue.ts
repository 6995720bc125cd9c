// The simulation's future: actions due at simulated instants. Equal instants run in the order they
// were scheduled, so advancing the simulation is deterministic.

export interface ScheduledAction {
  /** Milliseconds since the epoch, simulated. */
  readonly at: number;
  readonly run: () => void;
}

export class EventQueue {
  /** Sorted by `at`; among equal `at`, by scheduling order. */
  #actions: ScheduledAction[] = [];

  get size(): number {
    return this.#actions.length;
  }

  schedule(at: number, run: () => void): void {
    // Insert after every action due at or before `at`: keeps scheduling order among equal instants.
    let low = 0;
    let high = this.#actions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#actions[middle]?.at ?? Number.POSITIVE_INFINITY) <= at) low = middle + 1;
      else high = middle;
    }
    this.#actions.splice(low, 0, { at, run });
  }

  /** Removes and returns the earliest action due at or before `until`. */
  takeDue(until: number): ScheduledAction | undefined {
    const first = this.#actions[0];
    if (first === undefined || first.at > until) return undefined;
    this.#actions.shift();
    return first;
  }

  clear(): void {
    this.#actions = [];
  }
}
