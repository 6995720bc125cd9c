// Jitter and exponential backoff, so thousands of agents started together never act in step.
// Pure: randomness is passed in as a function returning [0, 1).

export type Random = () => number;

/** `baseMs` spread evenly over ±`spread` (0.1 = ±10 %). */
export function jittered(baseMs: number, random: Random, spread = 0.1): number {
  return Math.round(baseMs * (1 - spread + 2 * spread * random()));
}

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const API_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 5 * 60_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): doubling from `initialMs` up to
 * `maxMs`, then a random point in the upper half of that ("equal jitter"), so retries spread out
 * but never collapse to zero.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: Random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 40));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
