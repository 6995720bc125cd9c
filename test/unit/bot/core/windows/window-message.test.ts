// The live window message: header and state, span in the window's zone, who asked and who
// decided, Approve/Reject only while a decision is awaited, one line per node, n/m done with
// elapsed time and ETA; and the span and duration formats everything else reuses.
import { describe, expect, it } from 'vitest';
import type { ChatMessage, MessageAction, MessageBlock } from '../../../../../bot/core/ports/chat-port.ts';
import { initialProgress } from '../../../../../bot/core/windows/node-progress.ts';
import type { NodeProgress, NodeState } from '../../../../../bot/core/windows/node-progress.ts';
import { formatElapsed, formatSpan, formatTime, nodeLine, renderWindowMessage } from '../../../../../bot/core/windows/window-message.ts';
import type { WindowPlan } from '../../../../../bot/core/windows/window-plan.ts';
import { WINDOW_STATES } from '../../../../../bot/core/windows/maintenance-window.ts';
import type { MaintenanceWindow } from '../../../../../bot/core/windows/maintenance-window.ts';
import { messageText } from '../../../../support/recording-chat.ts';
import { aNode, aWindow } from '../../../../support/window-fixtures.ts';

const MINUTE = 60_000;
/** 14:12 in Zurich (UTC+1 in November). */
const NOW = new Date('2026-11-25T13:12:00Z');

function progress(node: string, state: NodeState, overrides: Partial<NodeProgress> = {}): NodeProgress {
  return { ...initialProgress(aNode(node)), state, ...overrides };
}

function plan(perNodeMs: number): WindowPlan {
  return { nodes: [], perNodeMs, estimateMs: 0, availableMs: 0, fits: true, basis: 'test' };
}

function blocksOf<K extends MessageBlock['kind']>(message: ChatMessage, kind: K): Extract<MessageBlock, { kind: K }>[] {
  return message.blocks.filter((block): block is Extract<MessageBlock, { kind: K }> => block.kind === kind);
}

function actionsOf(message: ChatMessage): MessageAction[] {
  return blocksOf(message, 'actions').flatMap((block) => [...block.actions]);
}

function contextTexts(message: ChatMessage): string[] {
  return blocksOf(message, 'context').map((block) => block.text);
}

function render(window: MaintenanceWindow, nodes: readonly NodeProgress[] = [], windowPlan?: WindowPlan, now: Date = NOW): ChatMessage {
  return renderWindowMessage({ window, nodes, plan: windowPlan, now });
}

const APPROVED_BY_BOB = { decidedBy: 'console:bob', decidedAt: new Date('2026-11-25T12:30:00Z') };

describe('renderWindowMessage: a request awaiting approval', () => {
  const message = render(aWindow({ reason: 'kernel 6.8.0-51', nodeSelector: 'pool=blue', concurrency: 2 }));

  it('is the whole message, in the window zone', () => {
    expect(message).toEqual({
      fallbackText: '📝 Maintenance window #7: requested (Wed 2026-11-25 14:00 → 17:00 Europe/Zurich)',
      blocks: [
        { kind: 'header', text: '📝 Maintenance window #7: requested' },
        { kind: 'text', text: '*Wed 2026-11-25 14:00 → 17:00 Europe/Zurich*' },
        { kind: 'text', text: 'requested by console:alice · nodes `pool=blue` · concurrency 2 · "kernel 6.8.0-51"' },
        { kind: 'context', text: 'Needs approval by an approver other than the requester; the request expires at 14:00.' },
        {
          kind: 'actions',
          actions: [
            { action: 'approve', label: 'Approve', style: 'primary', value: '7' },
            { action: 'reject', label: 'Reject', style: 'danger', value: '7', confirm: 'Reject maintenance window #7?' },
          ],
        },
      ],
    });
  });

  it('asks for confirmation before Reject, not before Approve', () => {
    const [approve, reject] = actionsOf(message);

    expect(approve?.confirm).toBeUndefined();
    expect(reject?.confirm).toBe('Reject maintenance window #7?');
  });

  it('without an expiry, says only that it needs approval', () => {
    expect(contextTexts(render(aWindow({ approvalExpiresAt: undefined })))).toEqual(['Needs approval by an approver other than the requester.']);
  });

  it('with four-eyes off, does not bar the requester', () => {
    const window = aWindow({ approvalExpiresAt: undefined });
    expect(contextTexts(renderWindowMessage({ window, nodes: [], plan: undefined, now: NOW, fourEyes: false }))).toEqual(['Needs approval by an approver.']);
  });

  it('shows the expiry in the window zone', () => {
    const window = aWindow({ zone: 'America/New_York', approvalExpiresAt: new Date('2026-11-25T15:45:00Z') });

    expect(contextTexts(render(window))).toEqual(['Needs approval by an approver other than the requester; the request expires at 10:45.']);
  });

  it('names a scheduled window by its schedule', () => {
    const window = aWindow({ id: 12, origin: { kind: 'schedule', scheduleId: 3, scheduleName: 'patch-tuesday' } });
    const rendered = render(window);

    expect(blocksOf(rendered, 'header')[0]?.text).toBe('📝 Maintenance window #12 (patch-tuesday): requested');
    expect(blocksOf(rendered, 'text')[1]?.text).toBe('schedule #3 · all nodes · concurrency 1');
    expect(actionsOf(rendered).map((action) => action.value)).toEqual(['12', '12']);
  });
});

describe('renderWindowMessage: decided windows', () => {
  it.each(WINDOW_STATES.filter((state) => state !== 'requested'))('a %s window has no buttons', (state) => {
    expect(actionsOf(render(aWindow({ state, ...APPROVED_BY_BOB })))).toEqual([]);
    expect(blocksOf(render(aWindow({ state, ...APPROVED_BY_BOB })), 'actions')).toEqual([]);
  });

  it('an approved window says who approved it and when', () => {
    const rendered = render(aWindow({ state: 'approved', ...APPROVED_BY_BOB }));

    expect(blocksOf(rendered, 'header')[0]?.text).toBe('👍 Maintenance window #7: approved');
    expect(contextTexts(rendered)).toEqual(['Approved by console:bob at 13:30.']);
  });

  it('a rejected window says who rejected it, without repeating the note', () => {
    const rendered = render(aWindow({ state: 'rejected', ...APPROVED_BY_BOB, note: 'rejected by console:bob' }));

    expect(blocksOf(rendered, 'header')[0]?.text).toBe('❌ Maintenance window #7: rejected');
    expect(contextTexts(rendered)).toEqual(['Rejected by console:bob at 13:30.']);
  });

  it('a closed window still says who approved it', () => {
    const closed = aWindow({
      state: 'closed',
      ...APPROVED_BY_BOB,
      openedAt: new Date('2026-11-25T13:00:00Z'),
      closedAt: new Date('2026-11-25T15:10:00Z'),
      closeReason: 'completed',
    });
    const rendered = render(closed, [progress('n1', 'done', { startedAt: new Date('2026-11-25T13:01:00Z'), doneAt: new Date('2026-11-25T13:11:00Z') })]);

    expect(blocksOf(rendered, 'header')[0]?.text).toBe('✅ Maintenance window #7: closed');
    expect(contextTexts(rendered)).toEqual(['1/1 done · elapsed 2h 10m', 'Approved by console:bob at 13:30.']);
  });

  it('an approved window that was then cancelled says both', () => {
    const rendered = render(aWindow({ state: 'cancelled', ...APPROVED_BY_BOB, note: 'cancelled by console:carol' }));

    expect(contextTexts(rendered)).toEqual(['Approved by console:bob at 13:30. cancelled by console:carol']);
  });

  it('a pre-approved window says why it needed no approval', () => {
    const configured = aWindow({ state: 'approved', approvalRequired: false, approvalExpiresAt: undefined, note: 'No approval required by configuration.' });

    expect(contextTexts(render(configured))).toEqual(['No approval required by configuration.']);
    expect(contextTexts(render({ ...configured, note: undefined }))).toEqual(['Pre-approved.']);
  });

  it('an expired request says nobody approved it', () => {
    expect(contextTexts(render(aWindow({ state: 'expired', note: 'nobody approved it in time' })))).toEqual(['nobody approved it in time']);
  });

  it('a failed window shows why', () => {
    const failed = aWindow({ state: 'failed', ...APPROVED_BY_BOB, note: 'kured could not be deployed' });

    expect(blocksOf(render(failed), 'header')[0]?.text).toBe('💥 Maintenance window #7: failed');
    expect(contextTexts(render(failed))).toEqual(['Approved by console:bob at 13:30. kured could not be deployed']);
  });
});

describe('renderWindowMessage: nodes and progress', () => {
  const open = aWindow({ state: 'open', ...APPROVED_BY_BOB, openedAt: new Date('2026-11-25T13:00:00Z') });

  it('lists the nodes by name with their state, then n/m done, elapsed and ETA', () => {
    const nodes = [
      progress('worker-3', 'pending'),
      progress('worker-1', 'done', { startedAt: new Date('2026-11-25T13:00:30Z'), doneAt: new Date('2026-11-25T13:08:00Z') }),
      progress('worker-2', 'draining', { startedAt: new Date('2026-11-25T13:08:10Z'), podsLeft: 4 }),
    ];
    const rendered = render(open, nodes, plan(10 * MINUTE));

    expect(blocksOf(rendered, 'lines')).toEqual([
      { kind: 'lines', lines: ['✅ worker-1: done in 7m 30s', '🔄 worker-2: draining, 4 pods left', '⏳ worker-3: pending'] },
    ]);
    // 2 nodes left at concurrency 1, 10 minutes each, from 14:12 Zurich time.
    expect(contextTexts(rendered)).toEqual(['1/3 done · elapsed 12m 00s · ETA 14:32', 'Approved by console:bob at 13:30.']);
  });

  it('counts ETA in rounds of the window concurrency', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((name) => progress(name, 'pending'));

    expect(contextTexts(render({ ...open, concurrency: 2 }, nodes, plan(10 * MINUTE)))[0]).toBe('0/5 done · elapsed 12m 00s · ETA 14:42');
  });

  it('has no ETA without a plan, once every node is done, or when the window is not open', () => {
    const done = progress('a', 'done');
    const pending = progress('b', 'pending');

    expect(contextTexts(render(open, [done, pending]))[0]).toBe('1/2 done · elapsed 12m 00s');
    expect(contextTexts(render(open, [done, { ...pending, state: 'done' }], plan(MINUTE)))[0]).toBe('2/2 done · elapsed 12m 00s');
    expect(contextTexts(render({ ...open, state: 'closing' }, [done, pending], plan(MINUTE)))[0]).toBe('1/2 done · elapsed 12m 00s');
  });

  it('has no elapsed time before the window opened', () => {
    const scheduled = aWindow({ state: 'scheduled', ...APPROVED_BY_BOB });

    expect(contextTexts(render(scheduled, [progress('a', 'pending')], plan(MINUTE)))[0]).toBe('0/1 done');
  });

  it('stops the elapsed time when the window closed', () => {
    const closed = { ...open, state: 'closed' as const, closedAt: new Date('2026-11-25T13:45:00Z') };

    expect(contextTexts(render(closed, [progress('a', 'skipped')], plan(MINUTE), new Date('2026-11-26T08:00:00Z')))[0]).toBe('0/1 done · elapsed 45m 00s');
  });

  it('says when no node needs a reboot in an open, closing or closed window', () => {
    for (const state of ['open', 'closing', 'closed'] as const) {
      expect(contextTexts(render({ ...open, state }))[0]).toBe('No node in this window needs a reboot.');
    }
    expect(contextTexts(render({ ...open, state: 'scheduled' }))).toEqual(['Approved by console:bob at 13:30.']);
  });

  it('shows a paused window as paused', () => {
    const rendered = render({ ...open, paused: true }, [progress('a', 'waiting')]);

    expect(blocksOf(rendered, 'header')[0]?.text).toBe('🔧 Maintenance window #7: open, paused ⏸️');
    expect(rendered.fallbackText).toBe('🔧 Maintenance window #7: open, paused ⏸️ (Wed 2026-11-25 14:00 → 17:00 Europe/Zurich)');
  });

  it('reads as plain text too', () => {
    const text = messageText(render(open, [progress('n1', 'rebooting', { rebootAt: new Date('2026-11-25T13:10:00Z') })], plan(5 * MINUTE)));

    expect(text).toBe(
      [
        '🔧 Maintenance window #7: open',
        '*Wed 2026-11-25 14:00 → 17:00 Europe/Zurich*',
        'requested by console:alice · all nodes · concurrency 1',
        '♻️ n1: rebooting for 2m 00s',
        '0/1 done · elapsed 12m 00s · ETA 14:17',
        'Approved by console:bob at 13:30.',
      ].join('\n'),
    );
  });
});

describe('nodeLine', () => {
  const started = new Date('2026-11-25T13:00:00Z');

  it.each<[NodeState, Partial<NodeProgress>, string]>([
    ['pending', {}, '⏳ n1: pending'],
    ['waiting', {}, '⏳ n1: waiting for the reboot lock'],
    ['cordoned', { startedAt: started }, '🚧 n1: cordoned'],
    ['draining', { startedAt: started, podsLeft: 3 }, '🔄 n1: draining, 3 pods left'],
    ['draining', { startedAt: started, podsLeft: undefined }, '🔄 n1: draining, ? pods left'],
    ['draining', { startedAt: started, podsLeft: 1 }, '🔄 n1: draining, 1 pod left'],
    ['drain-blocked', { startedAt: started, podsLeft: 1, blockedBy: 'PodDisruptionBudget shop/web' }, '⛔ n1: drain blocked by PodDisruptionBudget shop/web'],
    ['drain-blocked', { startedAt: started, blockedBy: undefined }, '⛔ n1: drain blocked by an eviction refusal'],
    ['rebooting', { startedAt: started, rebootAt: new Date('2026-11-25T13:09:55Z') }, '♻️ n1: rebooting for 2m 05s'],
    ['rebooting', { startedAt: started }, '♻️ n1: rebooting'],
    ['back', { startedAt: started, rebootAt: started }, '🔙 n1: back'],
    ['stuck', { startedAt: started, rebootAt: new Date('2026-11-25T12:56:00Z') }, '⚠️ n1: not back for 16m 00s'],
    ['done', { startedAt: started, doneAt: new Date('2026-11-25T13:09:30Z') }, '✅ n1: done in 9m 30s'],
    ['done', { startedAt: undefined, doneAt: new Date('2026-11-25T13:09:30Z') }, '✅ n1: done'],
    ['skipped', {}, '⏭️ n1: skipped'],
  ])('%s %o → %s', (state, fields, line) => {
    expect(nodeLine(progress('n1', state, fields), NOW)).toBe(line);
  });
});

describe('formatSpan', () => {
  it.each<[string, string, string, string, string]>([
    ['the same day', '2026-11-25T13:00:00Z', '2026-11-25T16:00:00Z', 'Europe/Zurich', 'Wed 2026-11-25 14:00 → 17:00 Europe/Zurich'],
    ['across midnight', '2026-01-03T23:00:00Z', '2026-01-04T03:00:00Z', 'Europe/London', 'Sat 2026-01-03 23:00 → Sun 2026-01-04 03:00 Europe/London'],
    ['across midnight in the zone, not in UTC', '2026-11-25T22:00:00Z', '2026-11-25T23:30:00Z', 'Europe/Zurich', 'Wed 2026-11-25 23:00 → Thu 2026-11-26 00:30 Europe/Zurich'],
    ['the same day in the zone, not in UTC', '2026-11-25T23:30:00Z', '2026-11-26T01:00:00Z', 'Europe/Zurich', 'Thu 2026-11-26 00:30 → 02:00 Europe/Zurich'],
    ['ending at midnight', '2026-11-25T20:00:00Z', '2026-11-25T23:00:00Z', 'Europe/Zurich', 'Wed 2026-11-25 21:00 → Thu 2026-11-26 00:00 Europe/Zurich'],
    ['over the spring-forward gap (2h elapsed, 3h on the wall)', '2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z', 'Europe/Zurich', 'Sun 2026-03-29 01:00 → 04:00 Europe/Zurich'],
    ['over the fall-back fold (1h elapsed, the same wall time)', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', 'Europe/Zurich', 'Sun 2026-10-25 02:30 → 02:30 Europe/Zurich'],
    ['across midnight into a DST change', '2026-03-08T04:00:00Z', '2026-03-08T08:00:00Z', 'America/New_York', 'Sat 2026-03-07 23:00 → Sun 2026-03-08 04:00 America/New_York'],
    ['in a half-hour zone', '2026-11-25T13:00:00Z', '2026-11-25T16:00:00Z', 'Asia/Kolkata', 'Wed 2026-11-25 18:30 → 21:30 Asia/Kolkata'],
    ['in UTC over a week', '2026-11-25T13:00:00Z', '2026-12-02T13:00:00Z', 'UTC', 'Wed 2026-11-25 13:00 → Wed 2026-12-02 13:00 UTC'],
  ])('%s', (_what, start, end, zone, text) => {
    expect(formatSpan(new Date(start), new Date(end), zone)).toBe(text);
  });
});

describe('formatTime', () => {
  it('is HH:mm in the zone, 24-hour', () => {
    expect(formatTime(new Date('2026-07-01T21:05:00Z'), 'Europe/Zurich')).toBe('23:05');
    expect(formatTime(new Date('2026-07-01T21:05:00Z'), 'America/Los_Angeles')).toBe('14:05');
  });
});

describe('formatElapsed', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [499, '0s'],
    [500, '1s'],
    [59_000, '59s'],
    [59_499, '59s'],
    [59_500, '1m 00s'],
    [60_000, '1m 00s'],
    [61_000, '1m 01s'],
    [605_000, '10m 05s'],
    [3_599_000, '59m 59s'],
    [3_600_000, '1h 00m'],
    [3_659_000, '1h 00m'],
    [3_660_000, '1h 01m'],
    [36 * 3_600_000 + 5 * MINUTE, '36h 05m'],
    [-5_000, '0s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});
