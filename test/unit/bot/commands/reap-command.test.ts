// `patchwindow reap`: arguments checked before anything happens, access checked at once, nothing
// removed before --at, then the window's kured removed (or left, when it is another window's),
// with exit codes a Job understands. The clock is manual; the delay advances it.
import { describe, expect, it } from 'vitest';
import type { KuredRemoval } from '../../../../bot/adapters/cluster/kubernetes/kured-removal.ts';
import { parseReapOptions, reap, runReapCommand } from '../../../../bot/commands/reap-command.ts';
import type { Reaper, ReapRequest } from '../../../../bot/commands/reap-command.ts';
import { captureLogger } from '../../../support/capture-logger.ts';
import { ManualClock } from '../../../support/manual-clock.ts';

const AT = new Date('2026-03-08T01:02:00Z');
const request: ReapRequest = { namespace: 'kured', window: 42, at: AT };

describe('parseReapOptions', () => {
  it('accepts a namespace, a window number and an instant with an offset', () => {
    expect(parseReapOptions({ namespace: 'kured', window: '42', at: '2026-03-08T02:02:00+01:00' })).toEqual({ ok: true, request });
  });

  it.each([
    [{ window: '1', at: '2026-03-08T01:02:00Z' }, "--namespace is required: kured's namespace, e.g. --namespace kured"],
    [{ namespace: 'Kured', window: '1', at: '2026-03-08T01:02:00Z' }, '--namespace "Kured" is not a Kubernetes namespace name; example: --namespace kured'],
    [{ namespace: 'kured-', window: '1', at: '2026-03-08T01:02:00Z' }, '--namespace "kured-" is not a Kubernetes namespace name; example: --namespace kured'],
    [{ namespace: 'kured', at: '2026-03-08T01:02:00Z' }, '--window is required: the window number, e.g. --window 12'],
    [{ namespace: 'kured', window: '-1', at: '2026-03-08T01:02:00Z' }, '--window "-1" is not a window number; example: --window 12'],
    [{ namespace: 'kured', window: '1' }, '--at is required: an ISO 8601 instant with an offset, e.g. --at 2026-03-07T22:00:00+01:00'],
    [{ namespace: 'kured', window: '1', at: '2026-03-08T01:02:00' }, '--at "2026-03-08T01:02:00" is not an ISO 8601 instant with an offset; example: --at 2026-03-07T22:00:00+01:00'],
    [{ namespace: 'kured', window: '1', at: 'tomorrow' }, '--at "tomorrow" is not an ISO 8601 instant with an offset; example: --at 2026-03-07T22:00:00+01:00'],
  ])('refuses %j with one line', (options, error) => {
    expect(parseReapOptions(options)).toEqual({ ok: false, error });
  });
});

describe('runReapCommand', () => {
  it('exits 2 with one line on stderr for bad arguments, before reading any configuration or cluster', async () => {
    let stderr = '';
    const code = await runReapCommand({ namespace: 'kured', window: 'five', at: '2026-03-08T01:02:00Z' }, { env: { PATCHWINDOW_LOG_LEVEL: 'nonsense' }, cwd: '/nonexistent' }, {
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(2);
    expect(stderr).toBe('patchwindow: --window "five" is not a window number; example: --window 12\n');
  });
});

interface FakeReaper extends Reaper {
  readonly calls: { what: 'check' | 'remove'; at: Date }[];
}

function fakeReaper(clock: ManualClock, outcome: { check?: Error; remove?: Error | KuredRemoval }): FakeReaper {
  const calls: { what: 'check' | 'remove'; at: Date }[] = [];
  return {
    calls,
    check() {
      calls.push({ what: 'check', at: clock.now() });
      return outcome.check === undefined ? Promise.resolve() : Promise.reject(outcome.check);
    },
    remove() {
      calls.push({ what: 'remove', at: clock.now() });
      const result = outcome.remove ?? { removed: [], kept: [] };
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
  };
}

function run(clock: ManualClock, reaper: Reaper): { result: Promise<number>; delays: number[]; log: ReturnType<typeof captureLogger> } {
  const log = captureLogger();
  const delays: number[] = [];
  const result = reap(request, {
    reaper,
    logger: log.logger,
    now: () => clock.now(),
    delay: (ms) => {
      delays.push(ms);
      clock.advance(ms);
      return Promise.resolve();
    },
  });
  return { result, delays, log };
}

const REMOVED: KuredRemoval = {
  removed: ['DaemonSet kured/kured', 'RoleBinding kured/kured', 'Role kured/kured', 'ClusterRoleBinding patchwindow-kured-kured', 'ClusterRole patchwindow-kured-kured', 'ServiceAccount kured/kured'],
  kept: [],
};

describe('reap', () => {
  it('checks its access at once, waits until --at in steps of at most a minute, then removes the window\'s kured and exits 0', async () => {
    const clock = new ManualClock('2026-03-07T21:00:30Z');
    const reaper = fakeReaper(clock, { remove: REMOVED });
    const { result, delays, log } = run(clock, reaper);
    expect(await result).toBe(0);
    expect(reaper.calls).toEqual([
      { what: 'check', at: new Date('2026-03-07T21:00:30Z') },
      { what: 'remove', at: AT },
    ]);
    expect(Math.max(...delays)).toBe(60_000);
    expect(delays.reduce((sum, ms) => sum + ms, 0)).toBe(AT.getTime() - new Date('2026-03-07T21:00:30Z').getTime());
    const lines = log.lines();
    expect(lines[0]).toMatchObject({ level: 'info', namespace: 'kured', window: 42, at: '2026-03-08T01:02:00.000Z' });
    expect(lines[0]?.['msg']).toContain('safety net armed');
    expect(lines.at(-1)).toMatchObject({ level: 'warn', removed: REMOVED.removed });
    expect(lines.at(-1)?.['msg']).toContain('removed kured of window 42 that was still there 0 s after --at');
  });

  it('acts at once when --at has passed (a pod started again late)', async () => {
    const clock = new ManualClock('2026-03-08T01:05:00Z');
    const reaper = fakeReaper(clock, { remove: REMOVED });
    const { result, delays } = run(clock, reaper);
    expect(await result).toBe(0);
    expect(delays).toEqual([]);
    expect(reaper.calls.map((call) => call.what)).toEqual(['check', 'remove']);
  });

  it('exits 0 and says so when kured is already gone', async () => {
    const clock = new ManualClock(AT);
    const { result, log } = run(clock, fakeReaper(clock, {}));
    expect(await result).toBe(0);
    expect(log.lines().at(-1)).toMatchObject({ level: 'info', msg: 'nothing to remove: kured of window 42 is already gone' });
  });

  it('exits 0 and leaves a later window\'s kured', async () => {
    const clock = new ManualClock(AT);
    const { result, log } = run(clock, fakeReaper(clock, { remove: { removed: [], kept: [{ object: 'DaemonSet kured/kured', window: '43' }] } }));
    expect(await result).toBe(0);
    expect(log.lines().at(-1)).toMatchObject({ level: 'info', kept: ['DaemonSet kured/kured (window 43)'] });
    expect(log.lines().at(-1)?.['msg']).toBe('nothing to remove: kured in kured belongs to another window (DaemonSet kured/kured (window 43))');
  });

  it('exits 1 at once, without waiting, when it could not act later (no access)', async () => {
    const clock = new ManualClock('2026-03-07T21:00:30Z');
    const reaper = fakeReaper(clock, { check: new Error('cannot read DaemonSet kured/kured: HTTP 403: forbidden') });
    const { result, delays, log } = run(clock, reaper);
    expect(await result).toBe(1);
    expect(delays).toEqual([]);
    expect(reaper.calls.map((call) => call.what)).toEqual(['check']);
    expect(log.lines().at(-1)).toMatchObject({ level: 'error', msg: 'safety net cannot act: cannot read DaemonSet kured/kured: HTTP 403: forbidden' });
  });

  it('exits 1 when the removal fails, so the Job runs another pod', async () => {
    const clock = new ManualClock(AT);
    const { result, log } = run(clock, fakeReaper(clock, { remove: new Error('DaemonSet kured/kured is still being deleted after 300000 ms') }));
    expect(await result).toBe(1);
    expect(log.lines().at(-1)).toMatchObject({ level: 'error', msg: 'removing kured failed: DaemonSet kured/kured is still being deleted after 300000 ms' });
  });
});
