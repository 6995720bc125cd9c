// What kured's log has said so far about the drain of its node: where the drain is, and which
// evictions were refused and are still outstanding. Pure: the state plus one event (a log line's,
// or "this pod left the node") gives the next state; unchanged input returns the same object.
//
// A refusal ends when its pod leaves the node (evicted: it is gone or terminating), when `kubectl
// drain` says it was evicted, or when the drain is over. A new "evicting pod" line for the same pod
// is only the library's retry, not a success, so it clears nothing.
import type { KuredLogEvent, PodName } from './kured-log-line.ts';

export type DrainPhase = 'not-started' | 'draining' | 'drained' | 'failed';

export interface Refusal {
  readonly pod: PodName;
  /** Refused for a PodDisruptionBudget (HTTP 429 with the budget's message). */
  readonly byDisruptionBudget: boolean;
  /** The drain gave up on this eviction (it will fail unless kured forces the reboot). */
  readonly final: boolean;
  readonly message: string;
}

export interface DrainLogState {
  readonly phase: DrainPhase;
  /** Outstanding refusals by `namespace/name`, oldest first. */
  readonly refusals: ReadonlyMap<string, Refusal>;
}

export const NO_DRAIN_LOG: DrainLogState = Object.freeze({ phase: 'not-started', refusals: new Map<string, Refusal>() });

export function podKeyOf(pod: PodName): string {
  return `${pod.namespace}/${pod.name}`;
}

export function applyKuredLogEvent(state: DrainLogState, event: KuredLogEvent): DrainLogState {
  switch (event.kind) {
    case 'drain-started':
      return state.phase === 'draining' && state.refusals.size === 0 ? state : { phase: 'draining', refusals: new Map() };
    case 'evicting':
      return state.phase === 'draining' ? state : { ...state, phase: 'draining' };
    case 'eviction-refused':
    case 'eviction-failed': {
      const refusal: Refusal = {
        pod: event.pod,
        byDisruptionBudget: event.kind === 'eviction-refused' && event.byDisruptionBudget,
        final: event.kind === 'eviction-failed',
        message: event.message,
      };
      const key = podKeyOf(event.pod);
      const known = state.refusals.get(key);
      if (state.phase === 'draining' && known !== undefined && sameRefusal(known, refusal)) return state;
      const refusals = new Map(state.refusals);
      refusals.set(key, refusal);
      return { phase: 'draining', refusals };
    }
    case 'evicted': {
      const { namespace, name } = event.pod;
      const left = [...state.refusals].filter(([, refusal]) => refusal.pod.name === name && (namespace === undefined || refusal.pod.namespace === namespace));
      return left.reduce((current, [key]) => podLeft(current, key), state);
    }
    case 'drain-failed':
      return { phase: 'failed', refusals: new Map() };
    case 'reboot-triggered':
    case 'waiting-for-reboot':
      return state.phase === 'drained' && state.refusals.size === 0 ? state : { phase: 'drained', refusals: new Map() };
    case 'uncordoning':
      return state.phase === 'not-started' && state.refusals.size === 0 ? state : NO_DRAIN_LOG;
  }
}

/** The pod `namespace/name` is no longer on the node (or is terminating): its refusal is over. */
export function podLeft(state: DrainLogState, key: string): DrainLogState {
  if (!state.refusals.has(key)) return state;
  const refusals = new Map(state.refusals);
  refusals.delete(key);
  return { ...state, refusals };
}

function sameRefusal(a: Refusal, b: Refusal): boolean {
  return a.byDisruptionBudget === b.byDisruptionBudget && a.final === b.final && a.message === b.message;
}
