// What node progress tells the metrics: drain time (cordon to reboot), reboot time (reboot to
// Ready), results as they happen (done) and when a window closes (skipped, stuck, failed), and
// nothing guessed for steps the engine did not see.
import { describe, expect, it } from 'vitest';
import { closingResult, measureStep, reportClosing, reportSteps } from '../../../../../bot/core/engine/node-metrics.ts';
import type { EngineMetrics } from '../../../../../bot/core/ports/metrics-port.ts';
import { closeProgress, initialProgress, NODE_STATES } from '../../../../../bot/core/windows/node-progress.ts';
import type { NodeProgress, NodeState } from '../../../../../bot/core/windows/node-progress.ts';
import { aNode } from '../../../../support/window-fixtures.ts';

const T0 = Date.parse('2026-11-25T13:00:00Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

function progress(state: NodeState, fields: Partial<NodeProgress> = {}): NodeProgress {
  return { ...initialProgress(aNode('n1')), state, ...fields };
}

const NOTHING = { result: undefined, drainMs: undefined, rebootMs: undefined };

describe('measureStep', () => {
  it('measures the drain from the cordon to the start of the reboot', () => {
    const draining = progress('draining', { startedAt: at(10), podsLeft: 2 });
    const rebooting = progress('rebooting', { startedAt: at(10), rebootAt: at(55) });
    expect(measureStep(draining, rebooting, at(55))).toEqual({ ...NOTHING, drainMs: 45_000 });
  });

  it('measures the drain also when the reboot is first seen as stuck or already back', () => {
    const blocked = progress('drain-blocked', { startedAt: at(0), blockedBy: 'PodDisruptionBudget shop/web' });
    expect(measureStep(blocked, progress('stuck', { startedAt: at(0), rebootAt: at(30) }), at(30)).drainMs).toBe(30_000);
  });

  it('measures the reboot from its start until the node is Ready again, back or straight to done', () => {
    const rebooting = progress('rebooting', { startedAt: at(0), rebootAt: at(20) });
    expect(measureStep(rebooting, progress('back', { startedAt: at(0), rebootAt: at(20) }), at(80))).toEqual({ ...NOTHING, rebootMs: 60_000 });
    expect(measureStep(rebooting, progress('done', { startedAt: at(0), rebootAt: at(20), doneAt: at(90) }), at(90))).toEqual({
      result: 'done',
      drainMs: undefined,
      rebootMs: 70_000,
    });
  });

  it('measures a stuck node that comes back after all, with the whole time it took', () => {
    const stuck = progress('stuck', { startedAt: at(0), rebootAt: at(20) });
    expect(measureStep(stuck, progress('back', { startedAt: at(0), rebootAt: at(20) }), at(1820)).rebootMs).toBe(1_800_000);
  });

  it('counts done once: from back to done is a result, not a second reboot time', () => {
    const back = progress('back', { startedAt: at(0), rebootAt: at(20) });
    expect(measureStep(back, progress('done', { startedAt: at(0), rebootAt: at(20), doneAt: at(95) }), at(95))).toEqual({ ...NOTHING, result: 'done' });
  });

  it('measures nothing on steps within one phase', () => {
    const cordoned = progress('cordoned', { startedAt: at(0) });
    expect(measureStep(progress('pending'), progress('waiting'), at(1))).toEqual(NOTHING);
    expect(measureStep(progress('waiting'), cordoned, at(2))).toEqual(NOTHING);
    expect(measureStep(cordoned, progress('draining', { startedAt: at(0), podsLeft: 3 }), at(3))).toEqual(NOTHING);
    const rebooting = progress('rebooting', { startedAt: at(0), rebootAt: at(20) });
    expect(measureStep(rebooting, progress('stuck', { startedAt: at(0), rebootAt: at(20) }), at(920))).toEqual(NOTHING);
  });

  it('guesses no duration for steps it did not see (the bot was down during the cordon or the reboot)', () => {
    // First seen rebooting: no cordon time, so no drain time.
    expect(measureStep(progress('pending'), progress('rebooting', { rebootAt: at(30) }), at(30))).toEqual(NOTHING);
    // Seen draining, then done: the reboot began at some unseen moment in between.
    const draining = progress('draining', { startedAt: at(0), podsLeft: 1 });
    expect(measureStep(draining, progress('done', { startedAt: at(0), doneAt: at(300) }), at(300))).toEqual({ ...NOTHING, result: 'done' });
  });
});

describe('closingResult', () => {
  it('gives every node of a closed window one result; done ones were counted already', () => {
    const results = Object.fromEntries(NODE_STATES.map((state) => [state, closingResult(closeProgress(progress(state)))]));
    expect(results).toEqual({
      pending: 'skipped',
      waiting: 'skipped',
      cordoned: 'failed',
      draining: 'failed',
      'drain-blocked': 'failed',
      rebooting: 'failed',
      back: 'failed',
      done: undefined,
      stuck: 'stuck',
      skipped: 'skipped',
    });
  });
});

describe('reporting', () => {
  function recording(): { readonly metrics: EngineMetrics; readonly calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      metrics: {
        nodeFinished: (result) => calls.push(`finished ${result}`),
        nodeDrained: (ms) => calls.push(`drained ${ms}`),
        nodeRebooted: (ms) => calls.push(`rebooted ${ms}`),
      },
    };
  }

  it('hands each finding to the port, and nothing without one', () => {
    const { metrics, calls } = recording();
    reportSteps(metrics, [
      { result: undefined, drainMs: 45_000, rebootMs: undefined },
      { result: 'done', drainMs: undefined, rebootMs: 70_000 },
      { result: undefined, drainMs: undefined, rebootMs: undefined },
    ]);
    reportClosing(metrics, [progress('done'), progress('skipped'), progress('stuck'), progress('draining')]);
    expect(calls).toEqual(['drained 45000', 'rebooted 70000', 'finished done', 'finished skipped', 'finished stuck', 'finished failed']);
    expect(() => {
      reportSteps(undefined, [{ result: 'done', drainMs: 1, rebootMs: 1 }]);
      reportClosing(undefined, [progress('skipped')]);
    }).not.toThrow();
  });
});
