import { describe, expect, it } from 'vitest';
import { nextDetectionState, pendingTransition } from '../../../../agent/core/detection.ts';
import type { Observation } from '../../../../agent/core/detection.ts';

const pending: Observation = { pending: true, reason: 'SentinelFile', packages: ['libc6'], evidence: 'f exists' };
const clear: Observation = { pending: false, reason: 'SentinelFile', packages: [], evidence: 'f is absent' };
const t0 = new Date('2026-03-10T08:00:00Z');
const t1 = new Date('2026-03-10T08:05:00Z');

describe('nextDetectionState', () => {
  it('dates a new pending reboot by the sentinel file time', () => {
    const state = nextDetectionState(undefined, { ...pending, pendingSince: new Date('2026-03-10T07:58:00Z') }, t0);
    expect(state).toEqual({ pending: true, reason: 'SentinelFile', packages: ['libc6'], since: new Date('2026-03-10T07:58:00Z'), evidence: 'f exists', scannedAt: t0 });
  });

  it('dates it by the scan when the detector cannot tell, or the file claims a future time', () => {
    expect(nextDetectionState(undefined, pending, t0).since).toEqual(t0);
    expect(nextDetectionState(undefined, { ...pending, pendingSince: new Date('2030-01-01T00:00:00Z') }, t0).since).toEqual(t0);
  });

  it('keeps the first "since" while the reboot stays pending, even if the file is touched again', () => {
    const first = nextDetectionState(undefined, pending, t0);
    const second = nextDetectionState(first, { ...pending, pendingSince: t1, packages: ['libc6', 'systemd'] }, t1);
    expect(second.since).toEqual(t0);
    expect(second.packages).toEqual(['libc6', 'systemd']);
    expect(second.scannedAt).toEqual(t1);
  });

  it('drops "since" and packages once the reboot is no longer pending', () => {
    const state = nextDetectionState(nextDetectionState(undefined, pending, t0), { ...clear, packages: ['stale'] }, t1);
    expect(state).toMatchObject({ pending: false, since: undefined, packages: [] });
  });
});

describe('pendingTransition', () => {
  it('names the moves of the pending flag', () => {
    const on = nextDetectionState(undefined, pending, t0);
    const off = nextDetectionState(on, clear, t1);
    expect(pendingTransition(undefined, on)).toBe('became-pending');
    expect(pendingTransition(on, nextDetectionState(on, pending, t1))).toBeUndefined();
    expect(pendingTransition(on, off)).toBe('cleared');
    expect(pendingTransition(undefined, off)).toBeUndefined();
  });
});
