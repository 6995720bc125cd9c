// What kured's log says about a drain, folded line by line: refusals appear, a retry is not a
// success, the pod leaving (or kubectl's "evicted") clears its refusal, the end of the drain clears all.
import { describe, expect, it } from 'vitest';
import { applyKuredLogEvent, NO_DRAIN_LOG, podLeft } from '../../../../../../bot/adapters/cluster/kubernetes/drain-log-state.ts';
import type { DrainLogState, Refusal } from '../../../../../../bot/adapters/cluster/kubernetes/drain-log-state.ts';
import { parseKuredLogLine } from '../../../../../../bot/adapters/cluster/kubernetes/kured-log-line.ts';

const PDB = "Cannot evict pod as it would violate the pod's disruption budget.";

/** The oldest outstanding refusal. */
function currentRefusal(state: DrainLogState): Refusal | undefined {
  return [...state.refusals.values()][0];
}

function fold(lines: readonly string[], from: DrainLogState = NO_DRAIN_LOG): DrainLogState {
  return lines.flatMap(parseKuredLogLine).reduce(applyKuredLogEvent, from);
}

const refused = (pod: string, ns = 'shop'): string =>
  `time=2026-03-07T21:05:01Z level=INFO msg="draining: results" node=node-1 stderr="error when evicting pods/\\"${pod}\\" -n \\"${ns}\\" (will retry after 5s): ${PDB}\\n"`;
const evicting = (pod: string, ns = 'shop'): string => `time=2026-03-07T21:05:01Z level=INFO msg="draining: results" node=node-1 stdout="evicting pod ${ns}/${pod}\\n"`;

describe('drain log state', () => {
  it('starts with no drain', () => {
    expect(NO_DRAIN_LOG).toEqual({ phase: 'not-started', refusals: new Map() });
    expect(currentRefusal(NO_DRAIN_LOG)).toBeUndefined();
  });

  it('follows a drain past a budget refusal to the reboot', () => {
    const started = fold(['time=2026-03-07T21:05:01Z level=INFO msg="Starting drain" node=node-1', evicting('web-0'), evicting('web-1')]);
    expect(started.phase).toBe('draining');
    expect(currentRefusal(started)).toBeUndefined();

    const blocked = fold([refused('web-1')], started);
    expect(currentRefusal(blocked)).toEqual({ pod: { namespace: 'shop', name: 'web-1' }, byDisruptionBudget: true, final: false, message: PDB });

    // the library retries: a new "evicting" line is not a success, the same refusal again changes nothing
    const retried = fold([evicting('web-1')], blocked);
    expect(retried).toBe(blocked);
    expect(fold([refused('web-1')], retried)).toBe(retried);

    // the pod left the node: the refusal is over
    const cleared = podLeft(retried, 'shop/web-1');
    expect(currentRefusal(cleared)).toBeUndefined();
    expect(cleared.phase).toBe('draining');
    expect(podLeft(cleared, 'shop/web-1')).toBe(cleared);

    const drained = fold(['time=2026-03-07T21:05:09Z level=INFO msg="Triggering reboot for node node-1" node=node-1'], blocked);
    expect(drained).toEqual({ phase: 'drained', refusals: new Map() });
    expect(fold(['time=2026-03-07T21:06:09Z level=INFO msg="Waiting for reboot" node=node-1'], drained)).toBe(drained);
  });

  it('reports the oldest outstanding refusal first', () => {
    const two = fold([refused('web-1'), refused('db-0', 'data'), refused('web-1')]);
    expect(currentRefusal(two)?.pod).toEqual({ namespace: 'shop', name: 'web-1' });
    expect(currentRefusal(podLeft(two, 'shop/web-1'))?.pod).toEqual({ namespace: 'data', name: 'db-0' });
  });

  it("clears a refusal on kubectl drain's 'evicted' line, by name when it gives no namespace", () => {
    const blocked = fold([refused('web-1'), refused('web-1', 'other')]);
    expect(fold(['pod/web-1 evicted'], blocked).refusals.size).toBe(0);
    expect(applyKuredLogEvent(blocked, { kind: 'evicted', pod: { namespace: 'other', name: 'web-1' } }).refusals.size).toBe(1);
    expect(fold(['pod/web-9 evicted'], blocked)).toBe(blocked);
  });

  it('records an eviction the drain gave up on as a final refusal', () => {
    const failed = fold(['error: unable to drain node "node-1" due to error: error when evicting pods/"web-0" -n "shop": global timeout reached: 1m0s, continuing command...']);
    expect(currentRefusal(failed)).toMatchObject({ pod: { name: 'web-0' }, final: true, byDisruptionBudget: false });
  });

  it('ends with a failed drain or an uncordon, and a new drain starts clean', () => {
    const blocked = fold([refused('web-1')]);
    expect(fold(['msg="Performing a best-effort uncordon after failed cordon and drain" node=node-1'], blocked)).toEqual({ phase: 'failed', refusals: new Map() });
    expect(fold(['msg="uncordoning node" node=node-1'], blocked)).toBe(NO_DRAIN_LOG);
    expect(fold(['msg="Starting drain" node=node-1'], blocked)).toEqual({ phase: 'draining', refusals: new Map() });
  });
});
