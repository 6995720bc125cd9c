// A seeded chat outage: every call to a target (a Slack method, a Bot Connector call kind) fails
// with probability `rate`, with a kind drawn evenly from `kinds`. Each target has its own random
// stream, so calls that run concurrently to different targets (a command's answer and the outbox)
// cannot change each other's faults, and the same seed gives the same outage every run.
import { SeededRandom } from '../../../bot/adapters/cluster/simulated/seeded-random.ts';

export const OUTAGE_KINDS = [
  /** 429 with Retry-After. */
  'rate-limited',
  /** HTTP 500, nothing processed. */
  'server-error',
  /** The request hangs past the client's timeout, nothing processed. */
  'timeout',
  /** The connection is dropped mid-request, nothing processed. */
  'reset',
  /** Processed, then the answer hangs past the client's timeout. */
  'processed-then-timeout',
  /** Processed, then the connection is dropped before the answer. */
  'processed-then-reset',
] as const;

export type OutageKind = (typeof OUTAGE_KINDS)[number];

/** Faults where the platform did nothing: retrying cannot duplicate anything. */
export const UNPROCESSED_KINDS: readonly OutageKind[] = ['rate-limited', 'server-error', 'timeout', 'reset'];

export interface PlannedFault {
  readonly kind: OutageKind;
  /** For `rate-limited`: the Retry-After the platform sends, 1–3 s. */
  readonly retryAfterS: number;
}

export class FaultPlan {
  readonly #seed: number;
  readonly #rate: number;
  readonly #kinds: readonly OutageKind[];
  readonly #streams = new Map<string, SeededRandom>();
  readonly #calls = new Map<string, number>();
  readonly #injected = new Map<string, Map<OutageKind, number>>();
  #active = false;

  constructor(options: { readonly seed: number; readonly rate: number; readonly kinds: readonly OutageKind[] }) {
    if (options.kinds.length === 0) throw new RangeError('a fault plan needs at least one kind of fault');
    this.#seed = options.seed;
    this.#rate = options.rate;
    this.#kinds = options.kinds;
  }

  /** From now on calls fail as planned (before: none do, e.g. while the bot starts). */
  start(): void {
    this.#active = true;
  }

  /** No more faults (e.g. to read the end state). */
  stop(): void {
    this.#active = false;
  }

  /** Whether this call to `target` fails, and how. */
  next(target: string): PlannedFault | undefined {
    if (!this.#active) return undefined;
    const random = this.#stream(target);
    this.#calls.set(target, (this.#calls.get(target) ?? 0) + 1);
    const fails = random.next() < this.#rate;
    const kind = random.pick(this.#kinds);
    const retryAfterS = random.integer(1, 3);
    if (!fails) return undefined;
    const counts = this.#injected.get(target) ?? new Map<OutageKind, number>();
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    this.#injected.set(target, counts);
    return { kind, retryAfterS };
  }

  /** Calls seen while active, per target. */
  calls(): Record<string, number> {
    return Object.fromEntries([...this.#calls].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Faults injected, per kind, over all targets. */
  injectedByKind(): Record<OutageKind, number> {
    const totals = Object.fromEntries(OUTAGE_KINDS.map((kind) => [kind, 0])) as Record<OutageKind, number>;
    for (const counts of this.#injected.values()) for (const [kind, count] of counts) totals[kind] += count;
    return totals;
  }

  injectedTotal(): number {
    return Object.values(this.injectedByKind()).reduce((sum, count) => sum + count, 0);
  }

  #stream(target: string): SeededRandom {
    let random = this.#streams.get(target);
    if (random === undefined) {
      random = new SeededRandom(fnv1a(`${this.#seed}/${target}`));
      this.#streams.set(target, random);
    }
    return random;
  }
}

/** 32-bit FNV-1a: a stable seed per target. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
