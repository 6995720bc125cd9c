// The window state machine as a complete table: every state × every event, what is allowed and
// exactly what the next window looks like; refusals name the window and its state; final
// states accept no event, whatever sequence follows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINAL_WINDOW_STATES, isFinal, WINDOW_STATES } from '../../../../../bot/core/windows/maintenance-window.ts';
import type { MaintenanceWindow, WindowState } from '../../../../../bot/core/windows/maintenance-window.ts';
import { applyWindowEvent } from '../../../../../bot/core/windows/window-lifecycle.ts';
import type { TransitionResult, WindowEvent } from '../../../../../bot/core/windows/window-lifecycle.ts';
import { aWindow, deepFreeze } from '../../../../support/window-fixtures.ts';

const NOW = new Date('2026-11-25T13:00:05Z');

type EventType = WindowEvent['type'];

/** One event of every type, with the actor or reason it carries. */
const EVENTS: Readonly<Record<EventType, WindowEvent>> = {
  approve: { type: 'approve', actor: 'console:bob' },
  reject: { type: 'reject', actor: 'console:bob' },
  expire: { type: 'expire' },
  schedule: { type: 'schedule' },
  'begin-opening': { type: 'begin-opening' },
  'daemon-deployed': { type: 'daemon-deployed' },
  'begin-closing': { type: 'begin-closing', reason: 'completed' },
  'daemon-removed': { type: 'daemon-removed' },
  cancel: { type: 'cancel', actor: 'console:carol' },
  fail: { type: 'fail', reason: 'kured could not be deployed: forbidden' },
  pause: { type: 'pause' },
  resume: { type: 'resume' },
};
const EVENT_TYPES = Object.keys(EVENTS) as EventType[];

/** What each event changes when it applies (the state comes from TABLE). */
const CHANGES: Readonly<Record<EventType, Partial<MaintenanceWindow>>> = {
  approve: { decidedBy: 'console:bob', decidedAt: NOW },
  reject: { decidedBy: 'console:bob', decidedAt: NOW, note: 'rejected by console:bob' },
  expire: { note: 'nobody approved it in time' },
  schedule: {},
  'begin-opening': {},
  'daemon-deployed': { openedAt: NOW },
  'begin-closing': { closeReason: 'completed' },
  'daemon-removed': { closedAt: NOW, paused: false },
  cancel: { note: 'cancelled by console:carol' },
  fail: { note: 'kured could not be deployed: forbidden', closedAt: NOW },
  pause: { paused: true },
  resume: { paused: false },
};

/** The whole machine, written out: the state each event leads to from each state; absent = refused. */
const TABLE: Readonly<Record<WindowState, Partial<Record<EventType, WindowState>>>> = {
  requested: { approve: 'approved', reject: 'rejected', expire: 'expired', cancel: 'cancelled', fail: 'failed' },
  approved: { schedule: 'scheduled', cancel: 'cancelled', fail: 'failed' },
  rejected: {},
  expired: {},
  scheduled: { 'begin-opening': 'opening', cancel: 'cancelled', fail: 'failed' },
  opening: { 'daemon-deployed': 'open', 'begin-closing': 'closing', fail: 'failed' },
  open: { 'begin-closing': 'closing', fail: 'failed', pause: 'open', resume: 'open' },
  closing: { 'daemon-removed': 'closed', fail: 'failed' },
  closed: {},
  cancelled: {},
  failed: {},
};

/** How each refusal words the event. */
const VERBS: Readonly<Record<EventType, string>> = {
  approve: 'be approved',
  reject: 'be rejected',
  expire: 'expire',
  schedule: 'be scheduled',
  'begin-opening': 'open',
  'daemon-deployed': 'become open',
  'begin-closing': 'be closed',
  'daemon-removed': 'finish closing',
  cancel: 'be cancelled',
  fail: 'fail',
  pause: 'be paused',
  resume: 'be resumed',
};

/** A window in `state` as it would be there: resume is tried on a paused window, everything else on a running one. */
function windowIn(state: WindowState, event: EventType): MaintenanceWindow {
  return deepFreeze(aWindow({ state, paused: event === 'resume' && state === 'open' }));
}

/** What no event may change: the window's identity and what was requested. */
function request(window: MaintenanceWindow): Partial<MaintenanceWindow> {
  const { id, origin, start, end, zone, concurrency, nodeSelector, reason, requestedBy, requestedAt, approvalRequired, approvalExpiresAt } = window;
  return { id, origin, start, end, zone, concurrency, nodeSelector, reason, requestedBy, requestedAt, approvalRequired, approvalExpiresAt };
}

function accepted(result: TransitionResult): MaintenanceWindow {
  if (!result.ok) throw new Error(`expected the event to apply, but: ${result.reason}`);
  return result.window;
}

function refusal(result: TransitionResult): string {
  if (result.ok) throw new Error(`expected the event to be refused, but the window became ${result.window.state}`);
  return result.reason;
}

const CELLS = WINDOW_STATES.flatMap((state) => EVENT_TYPES.map((event) => ({ state, event, to: TABLE[state][event] })));

describe('applyWindowEvent: the state × event table', () => {
  it('covers every state and every event', () => {
    expect(CELLS).toHaveLength(WINDOW_STATES.length * EVENT_TYPES.length);
    expect(Object.keys(TABLE).sort()).toEqual([...WINDOW_STATES].sort());
  });

  it.each(CELLS.filter((cell) => cell.to !== undefined))('$state + $event → $to', ({ state, event, to }) => {
    const before = windowIn(state, event);
    const after = accepted(applyWindowEvent(before, EVENTS[event], NOW));

    expect(after).toEqual({ ...before, state: to, ...CHANGES[event] });
    expect(after).not.toBe(before);
  });

  it.each(CELLS.filter((cell) => cell.to === undefined))('$state + $event is refused', ({ state, event }) => {
    const before = windowIn(state, event);
    const reason = refusal(applyWindowEvent(before, EVENTS[event], NOW));

    expect(reason).toBe(`window #7 is ${state}; it cannot ${VERBS[event]}`);
  });
});

describe('applyWindowEvent: fields', () => {
  it('records who approved and when, and leaves everything else as it was', () => {
    const requested = aWindow({ reason: 'kernel 6.8.0-51', concurrency: 2, nodeSelector: 'pool=blue' });
    const approved = accepted(applyWindowEvent(requested, { type: 'approve', actor: 'slack:U42' }, NOW));

    expect(approved).toEqual({ ...requested, state: 'approved', decidedBy: 'slack:U42', decidedAt: NOW });
  });

  it('records who rejected, when, and says so in the note', () => {
    const rejected = accepted(applyWindowEvent(aWindow(), { type: 'reject', actor: 'teams:0000-aad' }, NOW));

    expect(rejected).toMatchObject({ state: 'rejected', decidedBy: 'teams:0000-aad', decidedAt: NOW, note: 'rejected by teams:0000-aad' });
  });

  it('keeps who decided through the rest of the lifecycle', () => {
    let window = aWindow();
    const steps: [WindowEvent, Date][] = [
      [{ type: 'approve', actor: 'console:bob' }, new Date('2026-11-25T12:10:00Z')],
      [{ type: 'schedule' }, new Date('2026-11-25T12:10:01Z')],
      [{ type: 'begin-opening' }, new Date('2026-11-25T13:00:00Z')],
      [{ type: 'daemon-deployed' }, new Date('2026-11-25T13:00:03Z')],
      [{ type: 'pause' }, new Date('2026-11-25T13:30:00Z')],
      [{ type: 'begin-closing', reason: 'ended' }, new Date('2026-11-25T16:00:00Z')],
      [{ type: 'daemon-removed' }, new Date('2026-11-25T16:00:02Z')],
    ];
    for (const [event, at] of steps) window = accepted(applyWindowEvent(window, event, at));

    expect(window).toMatchObject({
      state: 'closed',
      decidedBy: 'console:bob',
      decidedAt: new Date('2026-11-25T12:10:00Z'),
      openedAt: new Date('2026-11-25T13:00:03Z'),
      closeReason: 'ended',
      closedAt: new Date('2026-11-25T16:00:02Z'),
      paused: false,
    });
  });

  it.each<[WindowState]>([['opening'], ['open']])('begin-closing from %s records each close reason', (state) => {
    for (const reason of ['ended', 'completed', 'closed-early'] as const) {
      const closing = accepted(applyWindowEvent(aWindow({ state }), { type: 'begin-closing', reason }, NOW));
      expect(closing).toMatchObject({ state: 'closing', closeReason: reason });
    }
  });

  it('a failure while open records the reason and when it ended, keeping when it opened', () => {
    const openedAt = new Date('2026-11-25T13:00:03Z');
    const failed = accepted(applyWindowEvent(aWindow({ state: 'open', openedAt }), { type: 'fail', reason: 'lost the cluster' }, NOW));

    expect(failed).toMatchObject({ state: 'failed', note: 'lost the cluster', openedAt, closedAt: NOW });
  });

  it('finishing closing a paused window clears the pause', () => {
    const closed = accepted(applyWindowEvent(aWindow({ state: 'closing', paused: true }), { type: 'daemon-removed' }, NOW));

    expect(closed).toMatchObject({ state: 'closed', paused: false, closedAt: NOW });
  });
});

describe('applyWindowEvent: pause and resume', () => {
  it('pauses an open window and resumes it, staying open', () => {
    const open = aWindow({ state: 'open' });
    const paused = accepted(applyWindowEvent(open, { type: 'pause' }, NOW));
    const resumed = accepted(applyWindowEvent(paused, { type: 'resume' }, NOW));

    expect(paused).toEqual({ ...open, paused: true });
    expect(resumed).toEqual(open);
  });

  it('refuses to pause a window twice', () => {
    const paused = accepted(applyWindowEvent(aWindow({ state: 'open' }), { type: 'pause' }, NOW));

    expect(refusal(applyWindowEvent(paused, { type: 'pause' }, NOW))).toBe('window #7 is paused already');
  });

  it('refuses to resume a window that is not paused', () => {
    expect(refusal(applyWindowEvent(aWindow({ state: 'open' }), { type: 'resume' }, NOW))).toBe('window #7 is not paused');
  });

  it.each(WINDOW_STATES.filter((state) => state !== 'open'))('refuses pause and resume while %s, paused or not', (state) => {
    for (const paused of [false, true]) {
      const window = aWindow({ state, paused });
      expect(refusal(applyWindowEvent(window, { type: 'pause' }, NOW))).toBe(`window #7 is ${state}; it cannot be paused`);
      expect(refusal(applyWindowEvent(window, { type: 'resume' }, NOW))).toBe(`window #7 is ${state}; it cannot be resumed`);
    }
  });
});

describe('applyWindowEvent: final states', () => {
  it('the final states are exactly those the table leaves no way out of', () => {
    const deadEnds = WINDOW_STATES.filter((state) => Object.keys(TABLE[state]).length === 0);

    expect([...FINAL_WINDOW_STATES].sort()).toEqual(deadEnds.sort());
  });

  it.each([...FINAL_WINDOW_STATES])('%s accepts no event at all', (state) => {
    for (const paused of [false, true]) {
      const window = deepFreeze(aWindow({ state, paused }));
      for (const event of Object.values(EVENTS)) {
        const result = applyWindowEvent(window, event, NOW);
        expect(result.ok, `${state} + ${event.type}`).toBe(false);
      }
    }
  });

  it('refusals name a scheduled window by its number', () => {
    const window = aWindow({ id: 31, state: 'closed', origin: { kind: 'schedule', scheduleId: 2, scheduleName: 'patch-tuesday' } });

    expect(refusal(applyWindowEvent(window, { type: 'approve', actor: 'console:bob' }, NOW))).toBe('window #31 is closed; it cannot be approved');
  });

  const anyEvent: fc.Arbitrary<WindowEvent> = fc.oneof(
    fc.constantFrom(...Object.values(EVENTS)),
    fc.record({ type: fc.constantFrom('approve' as const, 'reject' as const, 'cancel' as const), actor: fc.string() }),
    fc.record({ type: fc.constant('fail' as const), reason: fc.string() }),
    fc.record({ type: fc.constant('begin-closing' as const), reason: fc.constantFrom('ended' as const, 'completed' as const, 'closed-early' as const) }),
  );

  it('no event sequence ever leaves a final state, and a refused event changes nothing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WINDOW_STATES),
        fc.boolean(),
        fc.array(fc.tuple(anyEvent, fc.integer({ min: 0, max: 3_600_000 })), { maxLength: 30 }),
        (state, paused, events) => {
          let window = deepFreeze(aWindow({ state, paused }));
          let at = NOW.getTime();
          let finalSeen: MaintenanceWindow | undefined = isFinal(window) ? window : undefined;
          for (const [event, stepMs] of events) {
            at += stepMs;
            const result = applyWindowEvent(window, event, new Date(at));
            if (finalSeen !== undefined) {
              expect(result.ok).toBe(false);
              continue;
            }
            if (!result.ok) {
              expect(result.reason).toContain(`window #7 is `);
              continue;
            }
            expect(TABLE[window.state][event.type]).toBe(result.window.state);
            expect(request(result.window)).toEqual(request(window));
            window = deepFreeze(result.window);
            if (isFinal(window)) finalSeen = window;
          }
          if (finalSeen !== undefined) expect(window).toBe(finalSeen);
        },
      ),
      { numRuns: 500 },
    );
  });
});
