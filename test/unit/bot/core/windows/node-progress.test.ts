// Per-node progress from what the cluster shows: sequences of observations and the states
// they lead to, with the instants recorded on the way; stuck and its recovery; final states;
// what closing a window does to each node; durations.
import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../../../../bot/core/ports/cluster-port.ts';
import { closeProgress, durationMs, initialProgress, isFinished, NODE_STATES, observeNode } from '../../../../../bot/core/windows/node-progress.ts';
import type { LockView, NodeProgress, NodeState, ProgressSettings } from '../../../../../bot/core/windows/node-progress.ts';
import { aNode, deepFreeze } from '../../../../support/window-fixtures.ts';

const SETTINGS: ProgressSettings = { notBackAfterMs: 15 * 60_000 };
const T0 = Date.parse('2026-11-25T13:00:00Z');

/** `seconds` after T0. */
function at(seconds: number): Date {
  return new Date(T0 + seconds * 1000);
}

const FREE: LockView = { holders: [], maxOwners: 1 };
const HELD_BY_ME: LockView = { holders: ['n1'], maxOwners: 1 };
const HELD_ELSEWHERE: LockView = { holders: ['n2'], maxOwners: 1 };

/** n1 as the cluster shows it: booted as boot-1, Ready, schedulable, unless told otherwise. */
function n1(overrides: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return aNode('n1', overrides);
}

interface Step {
  readonly second: number;
  readonly snapshot: NodeSnapshot;
  readonly lock: LockView;
  /** The progress expected after this observation: state plus the fields that matter. */
  readonly expect: Partial<NodeProgress> & { readonly state: NodeState };
}

/** Runs the observations in order from the node's initial progress; returns every progress on the way. */
function run(steps: readonly Step[], first: NodeSnapshot = n1()): NodeProgress[] {
  let progress = deepFreeze(initialProgress(first));
  const seen: NodeProgress[] = [];
  for (const step of steps) {
    progress = deepFreeze(observeNode(progress, step.snapshot, step.lock, at(step.second), SETTINGS));
    expect(progress, `after the observation at +${step.second}s`).toMatchObject(step.expect);
    seen.push(progress);
  }
  return seen;
}

describe('initialProgress', () => {
  it('starts pending with the boot id the node had when the window began', () => {
    expect(initialProgress(n1({ bootId: 'boot-7' }))).toEqual({
      node: 'n1',
      state: 'pending',
      bootIdBefore: 'boot-7',
      podsLeft: undefined,
      blockedBy: undefined,
      startedAt: undefined,
      rebootAt: undefined,
      doneAt: undefined,
    });
  });
});

describe('observeNode: the whole way through', () => {
  it('pending → waiting → cordoned → draining → drain-blocked → rebooting → back → done', () => {
    const seen = run([
      { second: 1, snapshot: n1(), lock: FREE, expect: { state: 'pending', startedAt: undefined } },
      { second: 2, snapshot: n1(), lock: HELD_ELSEWHERE, expect: { state: 'waiting', startedAt: undefined } },
      { second: 3, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned', startedAt: at(3) } },
      {
        second: 4,
        snapshot: n1({ unschedulable: true, drain: { podsLeft: 5, blockedBy: undefined } }),
        lock: HELD_BY_ME,
        expect: { state: 'draining', podsLeft: 5, blockedBy: undefined, startedAt: at(3) },
      },
      {
        second: 5,
        snapshot: n1({ unschedulable: true, drain: { podsLeft: 2, blockedBy: 'PodDisruptionBudget shop/web' } }),
        lock: HELD_BY_ME,
        expect: { state: 'drain-blocked', podsLeft: 2, blockedBy: 'PodDisruptionBudget shop/web', startedAt: at(3) },
      },
      {
        second: 6,
        snapshot: n1({ unschedulable: true, drain: { podsLeft: 0, blockedBy: undefined } }),
        lock: HELD_BY_ME,
        expect: { state: 'draining', podsLeft: 0, blockedBy: undefined },
      },
      {
        second: 7,
        snapshot: n1({ unschedulable: true, ready: false }),
        lock: HELD_BY_ME,
        expect: { state: 'rebooting', rebootAt: at(7), podsLeft: 0, blockedBy: undefined },
      },
      { second: 60, snapshot: n1({ unschedulable: true, ready: false, bootId: 'boot-2' }), lock: HELD_BY_ME, expect: { state: 'rebooting', rebootAt: at(7) } },
      { second: 90, snapshot: n1({ unschedulable: true, bootId: 'boot-2' }), lock: HELD_BY_ME, expect: { state: 'back', podsLeft: 0, doneAt: undefined } },
      { second: 95, snapshot: n1({ bootId: 'boot-2' }), lock: FREE, expect: { state: 'done', doneAt: at(95) } },
    ]);

    expect(seen.at(-1)).toEqual({
      node: 'n1',
      state: 'done',
      bootIdBefore: 'boot-1',
      podsLeft: 0,
      blockedBy: undefined,
      startedAt: at(3),
      rebootAt: at(7),
      doneAt: at(95),
    });
  });

  it('a new boot id while still NotReady is rebooting, not back', () => {
    run([
      { second: 1, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } },
      { second: 2, snapshot: n1({ unschedulable: true, ready: false, bootId: 'boot-2' }), lock: HELD_BY_ME, expect: { state: 'rebooting', rebootAt: at(2) } },
    ]);
  });

  it('a new boot id seen already Ready and uncordoned is done straight away', () => {
    run([
      { second: 1, snapshot: n1({ unschedulable: true, drain: { podsLeft: 1, blockedBy: undefined } }), lock: HELD_BY_ME, expect: { state: 'draining' } },
      { second: 2, snapshot: n1({ bootId: 'boot-2' }), lock: FREE, expect: { state: 'done', startedAt: at(1), doneAt: at(2), podsLeft: 0 } },
    ]);
  });

  it('done is final: later observations return the very same progress', () => {
    const [, done] = run([
      { second: 1, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } },
      { second: 2, snapshot: n1({ bootId: 'boot-2' }), lock: FREE, expect: { state: 'done' } },
    ]);
    if (done === undefined) throw new Error('no progress');

    for (const snapshot of [n1(), n1({ ready: false }), n1({ unschedulable: true, bootId: 'boot-3' }), n1({ unschedulable: true, drain: { podsLeft: 3, blockedBy: 'x' } })]) {
      expect(observeNode(done, snapshot, HELD_ELSEWHERE, at(10_000), SETTINGS)).toBe(done);
    }
  });

  it('skipped is final too', () => {
    const skipped = closeProgress(initialProgress(n1()));

    expect(skipped.state).toBe('skipped');
    expect(observeNode(skipped, n1({ unschedulable: true }), HELD_BY_ME, at(1), SETTINGS)).toBe(skipped);
  });
});

describe('observeNode: before its turn', () => {
  it.each<[string, LockView, NodeState]>([
    ['the lock is free', FREE, 'pending'],
    ['the only slot is held by another node', HELD_ELSEWHERE, 'waiting'],
    ['one of two slots is free', { holders: ['n2'], maxOwners: 2 }, 'pending'],
    ['both slots are held by other nodes', { holders: ['n2', 'n3'], maxOwners: 2 }, 'waiting'],
    ['the lock is held by a pause marker', { holders: ['patchwindow-pause'], maxOwners: 1 }, 'waiting'],
    ['the node holds the lock but is not cordoned yet', HELD_BY_ME, 'pending'],
  ])('is %s → %s', (_what, lock, state) => {
    expect(observeNode(initialProgress(n1()), n1(), lock, at(1), SETTINGS)).toEqual({ ...initialProgress(n1()), state });
  });

  it('keeps waiting while the lock is free between two nodes, then starts when it gets the lock', () => {
    run([
      { second: 1, snapshot: n1(), lock: HELD_ELSEWHERE, expect: { state: 'waiting' } },
      { second: 2, snapshot: n1(), lock: FREE, expect: { state: 'waiting', startedAt: undefined } },
      { second: 3, snapshot: n1(), lock: HELD_ELSEWHERE, expect: { state: 'waiting' } },
      { second: 4, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } },
    ]);
  });

  it('a node cordoned by hand, without the lock or a drain, has not started', () => {
    run([{ second: 1, snapshot: n1({ unschedulable: true }), lock: HELD_ELSEWHERE, expect: { state: 'waiting', startedAt: undefined } }]);
    run([{ second: 1, snapshot: n1({ unschedulable: true }), lock: FREE, expect: { state: 'pending', startedAt: undefined } }]);
  });

  it('a node that goes NotReady or reboots before its turn is not counted as rebooting', () => {
    run([
      { second: 1, snapshot: n1({ ready: false }), lock: FREE, expect: { state: 'pending', rebootAt: undefined } },
      { second: 2, snapshot: n1({ bootId: 'boot-2' }), lock: HELD_ELSEWHERE, expect: { state: 'waiting', rebootAt: undefined, doneAt: undefined } },
    ]);
  });

  it('a node seen again only after its whole reboot (new boot id, no reboot needed any more) is done, not left pending', () => {
    // The bot was down, or could not store anything, while kured cordoned, drained and rebooted it.
    run([
      { second: 1, snapshot: n1(), lock: HELD_ELSEWHERE, expect: { state: 'waiting' } },
      { second: 300, snapshot: n1({ bootId: 'boot-2', pendingReboot: undefined }), lock: FREE, expect: { state: 'done', startedAt: undefined, doneAt: at(300), podsLeft: 0 } },
    ]);
    run([{ second: 300, snapshot: n1({ bootId: 'boot-2', pendingReboot: undefined, unschedulable: true }), lock: FREE, expect: { state: 'back', startedAt: undefined } }]);
    run([{ second: 300, snapshot: n1({ bootId: 'boot-2', pendingReboot: undefined, ready: false }), lock: FREE, expect: { state: 'rebooting', rebootAt: at(300) } }]);
  });

  it('a cordoned node being drained has started even when the lock view does not show it', () => {
    run([
      {
        second: 1,
        snapshot: n1({ unschedulable: true, drain: { podsLeft: 4, blockedBy: undefined } }),
        lock: FREE,
        expect: { state: 'draining', podsLeft: 4, startedAt: at(1) },
      },
    ]);
  });

  it('a drain refused straight away is drain-blocked with what refuses it', () => {
    run([
      {
        second: 1,
        snapshot: n1({ unschedulable: true, drain: { podsLeft: 1, blockedBy: 'pod shop/web-0' } }),
        lock: HELD_BY_ME,
        expect: { state: 'drain-blocked', podsLeft: 1, blockedBy: 'pod shop/web-0', startedAt: at(1) },
      },
    ]);
  });
});

describe('observeNode: once started', () => {
  it('keeps when it started through every later step', () => {
    const seen = run([
      { second: 1, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } },
      { second: 2, snapshot: n1({ unschedulable: true, drain: { podsLeft: 1, blockedBy: undefined } }), lock: HELD_BY_ME, expect: { state: 'draining' } },
      { second: 3, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } },
      { second: 4, snapshot: n1({ unschedulable: true, ready: false }), lock: HELD_BY_ME, expect: { state: 'rebooting' } },
    ]);

    expect(seen.map((progress) => progress.startedAt)).toEqual([at(1), at(1), at(1), at(1)]);
  });

  it('a drain that clears its blocker goes back to draining without the blocker', () => {
    run([
      { second: 1, snapshot: n1({ unschedulable: true, drain: { podsLeft: 2, blockedBy: 'PodDisruptionBudget a/b' } }), lock: HELD_BY_ME, expect: { state: 'drain-blocked' } },
      { second: 2, snapshot: n1({ unschedulable: true, drain: { podsLeft: 1, blockedBy: undefined } }), lock: HELD_BY_ME, expect: { state: 'draining', podsLeft: 1, blockedBy: undefined } },
    ]);
  });

  it('a started node that is uncordoned without a reboot keeps its last state', () => {
    run([
      { second: 1, snapshot: n1({ unschedulable: true, drain: { podsLeft: 3, blockedBy: undefined } }), lock: HELD_BY_ME, expect: { state: 'draining' } },
      { second: 2, snapshot: n1(), lock: FREE, expect: { state: 'draining', podsLeft: 3, startedAt: at(1), doneAt: undefined } },
    ]);
  });

  it('the lock changing hands does not make a started node wait', () => {
    run([
      { second: 1, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } },
      { second: 2, snapshot: n1({ unschedulable: true }), lock: HELD_ELSEWHERE, expect: { state: 'cordoned', startedAt: at(1) } },
    ]);
  });
});

describe('observeNode: stuck', () => {
  const limit = SETTINGS.notBackAfterMs / 1000;
  const cordoned: Step = { second: 0, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } };
  const down = (second: number, state: NodeState): Step => ({
    second,
    snapshot: n1({ unschedulable: true, ready: false }),
    lock: HELD_BY_ME,
    expect: { state, rebootAt: at(10) },
  });

  it('is rebooting until notBackAfterMs after the reboot began, stuck from then on', () => {
    run([cordoned, down(10, 'rebooting'), down(10 + limit - 1, 'rebooting'), down(10 + limit, 'stuck'), down(10 + 3 * limit, 'stuck')]);
  });

  it('counts the limit from when the reboot was first seen, also when that is a new boot id', () => {
    run([
      cordoned,
      { second: 10, snapshot: n1({ unschedulable: true, ready: false, bootId: 'boot-2' }), lock: HELD_BY_ME, expect: { state: 'rebooting', rebootAt: at(10) } },
      { second: 10 + limit, snapshot: n1({ unschedulable: true, ready: false, bootId: 'boot-2' }), lock: HELD_BY_ME, expect: { state: 'stuck', rebootAt: at(10) } },
    ]);
  });

  it('stuck → back → done when the node returns', () => {
    run([
      cordoned,
      down(10, 'rebooting'),
      down(10 + limit, 'stuck'),
      { second: 10 + limit + 5, snapshot: n1({ unschedulable: true, bootId: 'boot-2' }), lock: HELD_BY_ME, expect: { state: 'back', rebootAt: at(10) } },
      { second: 10 + limit + 9, snapshot: n1({ bootId: 'boot-2' }), lock: FREE, expect: { state: 'done', doneAt: at(10 + limit + 9) } },
    ]);
  });

  it('stuck → done when the node returns already uncordoned', () => {
    run([
      cordoned,
      down(10, 'rebooting'),
      down(10 + limit, 'stuck'),
      { second: 10 + limit + 5, snapshot: n1({ bootId: 'boot-2' }), lock: FREE, expect: { state: 'done', startedAt: at(0), rebootAt: at(10), doneAt: at(10 + limit + 5) } },
    ]);
  });
});

describe('closeProgress', () => {
  const base = initialProgress(n1());
  const started = { ...base, startedAt: at(1) };

  it.each<[NodeState, NodeState, NodeProgress]>([
    ['pending', 'skipped', base],
    ['waiting', 'skipped', { ...base, state: 'waiting' }],
    ['cordoned', 'cordoned', { ...started, state: 'cordoned' }],
    ['draining', 'draining', { ...started, state: 'draining', podsLeft: 2 }],
    ['drain-blocked', 'drain-blocked', { ...started, state: 'drain-blocked', podsLeft: 1, blockedBy: 'pod a/b' }],
    ['rebooting', 'rebooting', { ...started, state: 'rebooting', rebootAt: at(2) }],
    ['stuck', 'stuck', { ...started, state: 'stuck', rebootAt: at(2) }],
    ['back', 'back', { ...started, state: 'back', rebootAt: at(2) }],
    ['done', 'done', { ...started, state: 'done', rebootAt: at(2), doneAt: at(3) }],
    ['skipped', 'skipped', { ...base, state: 'skipped' }],
  ])('%s → %s', (_from, to, progress) => {
    const closed = closeProgress(deepFreeze(progress));

    expect(closed).toEqual({ ...progress, state: to });
  });

  it('a node whose reboot was seen only afterwards is not skipped, though its start time is unknown', () => {
    for (const state of ['rebooting', 'back', 'stuck'] as const) {
      const progress = deepFreeze({ ...base, state, rebootAt: at(2) });
      expect(closeProgress(progress)).toEqual(progress);
    }
  });

  it('the cases above are every node state there is', () => {
    expect([...NODE_STATES].sort()).toEqual(['back', 'cordoned', 'done', 'drain-blocked', 'draining', 'pending', 'rebooting', 'skipped', 'stuck', 'waiting']);
  });
});

describe('isFinished and durationMs', () => {
  it.each(NODE_STATES.map((state) => [state, state === 'done' || state === 'skipped'] as const))('%s finished: %s', (state, finished) => {
    expect(isFinished({ ...initialProgress(n1()), state })).toBe(finished);
  });

  it('is the time from cordon to done', () => {
    const done: NodeProgress = { ...initialProgress(n1()), state: 'done', startedAt: at(3), rebootAt: at(7), doneAt: at(95) };

    expect(durationMs(done)).toBe(92_000);
  });

  it('is unknown until both ends are known', () => {
    const base = initialProgress(n1());

    expect(durationMs(base)).toBeUndefined();
    expect(durationMs({ ...base, state: 'rebooting', startedAt: at(3) })).toBeUndefined();
    expect(durationMs({ ...base, state: 'skipped', doneAt: at(3) })).toBeUndefined();
  });

  it('is measured from the observed sequence', () => {
    const seen = run([
      { second: 30, snapshot: n1({ unschedulable: true }), lock: HELD_BY_ME, expect: { state: 'cordoned' } },
      { second: 300, snapshot: n1({ bootId: 'boot-2' }), lock: FREE, expect: { state: 'done' } },
    ]);

    expect(durationMs(seen[1] ?? initialProgress(n1()))).toBe(270_000);
  });
});
