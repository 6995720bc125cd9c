// What Slack and Teams inbound handling share: remembering which deliveries were already acted
// on (both platforms redeliver), and logging an error without its SDK internals.

/** Delivery or activity ids seen in the last `ttlMs`, at most `max` of them (oldest forgotten first). */
export class RecentDeliveries {
  readonly #seen = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#max = options.max ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** True the first time `id` is seen (within the window); false for a repeat. */
  firstTime(id: string): boolean {
    const now = this.#now();
    for (const [key, at] of this.#seen) {
      if (at + this.#ttlMs > now && this.#seen.size < this.#max) break;
      this.#seen.delete(key);
    }
    const at = this.#seen.get(id);
    if (at !== undefined && at + this.#ttlMs > now) return false;
    this.#seen.set(id, now);
    return true;
  }
}

/** An error as a log field: its type and message, not the SDK's request and response objects. */
export function errorSummary(error: unknown): { type: string; message: string } {
  return error instanceof Error ? { type: error.name, message: error.message } : { type: 'unknown', message: String(error) };
}
