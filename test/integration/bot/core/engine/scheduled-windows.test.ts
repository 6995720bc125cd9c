// Windows from stored calendar schedules: requested `leadMs` ahead (24h in testSettings) and
// expiring at their start, approved by someone or pre-approved, opened at their start; skipped on
// blackout dates, when nobody approved them, and when they overlap another window.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, BOB, startEngineHarness, testSettings } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { auditActions, liveMessages, liveText, pendingNodes, stepTo, threadOf, windowState } from '../../../../support/engine-scenario.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

// The harness starts at 2026-11-25T12:00:00Z, a Wednesday: 13:00 in Zurich.
const DAILY = 'schedule add every day 14:00-15:00 Europe/Zurich --name daily';
const TODAY_START = '2026-11-25T13:00:00.000Z';
const TODAY_END = '2026-11-25T14:00:00.000Z';
const TOMORROW_START = '2026-11-26T13:00:00.000Z';

const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

async function harness(settings = testSettings()): Promise<EngineHarness> {
  const started = await startEngineHarness({ path: join(dirs.make(), 'p.db'), settings });
  harnesses.push(started);
  return started;
}

async function bootIds(h: EngineHarness): Promise<Map<string, string>> {
  return new Map((await h.cluster.nodes()).map((node) => [node.name, node.bootId]));
}

describe('windows from a schedule', () => {
  it('asks for approval ahead, expiring at the start; once approved, opens at its start, reboots the pending nodes and closes', async () => {
    const h = await harness();
    const pending = await pendingNodes(h);
    expect(await h.engine.command(ALICE, DAILY)).toEqual({
      ok: true,
      text: expect.stringMatching(/^Added schedule #1 daily: every day 14:00-15:00 Europe\/Zurich \(approval required\)\nNext window: Wed 2026-11-25 14:00/) as unknown,
    });
    await h.step(1000);

    // Only today's window is within the 24h lead; tomorrow's is not asked for yet.
    const [requested, ...others] = await h.repositories.windows.listRecent(10);
    expect(others).toEqual([]);
    expect(requested).toMatchObject({
      id: 1,
      origin: { kind: 'schedule', scheduleId: 1, scheduleName: 'daily' },
      state: 'requested',
      start: new Date(TODAY_START),
      end: new Date(TODAY_END),
      zone: 'Europe/Zurich',
      requestedBy: 'system',
      approvalRequired: true,
      approvalExpiresAt: new Date(TODAY_START),
    });
    expect(liveMessages(h.chat, 1)).toHaveLength(1);
    const card = liveText(h.chat, 1);
    expect(card).toContain('Maintenance window #1 (daily): requested');
    expect(card).toContain('Needs approval by an approver other than the requester; the request expires at 14:00.');
    expect(card).toContain('[Approve] [Reject]');

    // The schedule asked, not alice: she may approve it.
    expect(await h.engine.action(BOB, 'approve', '1')).toEqual({ ok: true, text: 'You approved window #1.' });
    expect(await windowState(h, 1)).toBe('scheduled');
    await h.step(1000);
    expect(liveText(h.chat, 1)).not.toContain('[Approve]');
    expect(liveText(h.chat, 1)).toContain('Approved by console:bob');

    await stepTo(h, '2026-11-25T12:59:59.000Z');
    expect(await windowState(h, 1)).toBe('scheduled');
    expect((await h.cluster.rebootDaemon()).present).toBe(false);

    await stepTo(h, TODAY_START);
    expect(await windowState(h, 1)).toBe('open');
    expect(await h.cluster.rebootDaemon()).toEqual({ present: true, windowId: 1 });

    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    expect((await h.repositories.windows.get(1))?.closeReason).toBe('completed');
    expect(await pendingNodes(h)).toEqual([]);
    expect((await h.repositories.nodeProgress.list(1)).map((node) => [node.node, node.state])).toEqual(pending.map((name) => [name, 'done']));
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    expect(threadOf(h.chat, 1).at(-1)).toMatch(/^🏁 Window #1 closed \(completed\)\. kured removed\./);

    const audit = await h.repositories.audit.list({ subject: 'window:1', limit: 100 });
    expect(audit.map((entry) => [entry.action, entry.actor]).reverse()).toEqual([
      ['window.requested', 'system'],
      ['window.approved', BOB.id],
      ['window.scheduled', 'system'],
      ['window.opening', 'system'],
      ['window.opened', 'system'],
      ['window.closing', 'system'],
      ['window.closed', 'system'],
    ]);

    // From today's start on, tomorrow's window is within the lead and asked for.
    expect(await h.repositories.windows.findBySchedule(1, new Date(TOMORROW_START))).toMatchObject({ id: 2, state: 'requested' });
  });

  it('asks only `leadMs` before the start', async () => {
    const h = await harness(testSettings({ approvals: { ...testSettings().approvals, leadMs: 30 * 60_000 } }));
    await h.engine.command(ALICE, DAILY);
    await stepTo(h, '2026-11-25T12:29:59.000Z');
    expect(await h.repositories.windows.listRecent(10)).toEqual([]);
    await stepTo(h, '2026-11-25T12:30:00.000Z');
    expect(await h.repositories.windows.listRecent(10)).toMatchObject([{ id: 1, state: 'requested', start: new Date(TODAY_START) }]);
  });

  it('opens a pre-approved schedule’s window without anyone', async () => {
    const h = await harness();
    expect(await h.engine.command(ALICE, 'schedule add every day 14:00-15:00 Europe/Zurich --approval pre-approved --name auto')).toMatchObject({
      ok: true,
      text: expect.stringContaining('(approval pre-approved)') as unknown,
    });
    await h.step(1000);
    expect(await h.repositories.windows.get(1)).toMatchObject({
      state: 'scheduled',
      approvalRequired: false,
      approvalExpiresAt: undefined,
      decidedBy: undefined,
      note: 'Pre-approved by its schedule.',
    });
    expect(liveText(h.chat, 1)).not.toContain('[Approve]');
    expect(liveText(h.chat, 1)).toContain('Pre-approved by its schedule.');

    await stepTo(h, TODAY_START);
    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    expect(await pendingNodes(h)).toEqual([]);
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    expect(await auditActions(h.repositories, 'window:1')).toEqual([
      'window.requested',
      'window.scheduled',
      'window.opening',
      'window.opened',
      'window.closing',
      'window.closed',
    ]);
  });

  it('lets an unapproved window expire at its start, says it was skipped, and never deploys kured', async () => {
    const h = await harness();
    const deploy = vi.spyOn(h.cluster, 'deployRebootDaemon');
    const before = await bootIds(h);
    await h.engine.command(ALICE, DAILY);
    await stepTo(h, '2026-11-25T12:59:59.999Z');
    expect(await windowState(h, 1)).toBe('requested');

    await stepTo(h, TODAY_START);
    expect(await h.repositories.windows.get(1)).toMatchObject({ state: 'expired', note: 'nobody approved it in time' });
    expect(threadOf(h.chat, 1)).toEqual(['⌛ Nobody approved window #1 in time. The scheduled window is skipped.']);
    expect(liveText(h.chat, 1)).toContain('Maintenance window #1 (daily): expired');
    expect(liveText(h.chat, 1)).not.toContain('[Approve]');
    expect(await h.engine.action(BOB, 'approve', '1')).toEqual({ ok: false, text: 'refused: window #1 is expired; there is nothing to approve' });

    await stepTo(h, TODAY_END);
    expect(deploy).not.toHaveBeenCalled();
    expect((await h.cluster.rebootDaemon()).present).toBe(false);
    expect(await bootIds(h)).toEqual(before);
    expect(await auditActions(h.repositories, 'window:1')).toEqual(['window.requested', 'window.expired', 'window.decision-refused']);
  });

  it('produces no window on a blackout date added before the schedule', async () => {
    const h = await harness();
    expect(await h.engine.command(ALICE, 'skip 2026-11-25 freeze')).toMatchObject({ ok: true });
    expect((await h.engine.command(ALICE, DAILY)).text).toContain('Next window: Thu 2026-11-26 14:00');
    await stepTo(h, TODAY_START);
    await stepTo(h, TODAY_END);
    expect(await h.repositories.windows.findBySchedule(1, new Date(TODAY_START))).toBeUndefined();
    // Tomorrow's window comes within the lead at today's start, and is the only one.
    expect(await h.repositories.windows.listRecent(10)).toMatchObject([{ id: 1, state: 'requested', start: new Date(TOMORROW_START) }]);
  });

  it('cancels an already requested (even approved) window when a blackout on its date is added, and never opens it', async () => {
    const h = await harness();
    const deploy = vi.spyOn(h.cluster, 'deployRebootDaemon');
    const before = await bootIds(h);
    await h.engine.command(ALICE, DAILY);
    expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
    expect(await windowState(h, 1)).toBe('scheduled');

    expect(await h.engine.command(ALICE, 'skip 2026-11-25 freeze')).toEqual({
      ok: true,
      text: 'Added blackout #1 2026-11-25 Europe/Zurich (freeze). No window will overlap it.',
    });
    expect(await h.repositories.windows.get(1)).toMatchObject({ state: 'cancelled', note: 'skipped: blackout 2026-11-25 Europe/Zurich' });
    await stepTo(h, TODAY_END);
    expect(await windowState(h, 1)).toBe('cancelled');
    expect(deploy).not.toHaveBeenCalled();
    expect(await bootIds(h)).toEqual(before);
    expect(threadOf(h.chat, 1)).toEqual(['👍 bob approved window #1.', '🚫 Skipped: window #1 falls on blackout 2026-11-25 Europe/Zurich.']);
    expect(liveText(h.chat, 1)).toContain('Maintenance window #1 (daily): cancelled');
    expect(await auditActions(h.repositories, 'window:1')).toEqual(['window.requested', 'window.approved', 'window.scheduled', 'window.cancelled']);
  });

  it('records a window that overlaps an on-demand window as cancelled, with a note, and does not open it', async () => {
    const h = await harness();
    const deploy = vi.spyOn(h.cluster, 'deployRebootDaemon');
    expect(await h.engine.command(ALICE, 'open 3h')).toMatchObject({ ok: true }); // 12:00–15:00 UTC
    expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
    expect(await h.engine.command(ALICE, DAILY)).toMatchObject({ ok: true });

    expect(await h.repositories.windows.get(2)).toMatchObject({
      origin: { kind: 'schedule', scheduleId: 1 },
      state: 'cancelled',
      start: new Date(TODAY_START),
      note: 'skipped: overlaps window #1',
    });
    await h.step(1000);
    expect(threadOf(h.chat, 2)).toEqual(["🚫 Skipped: schedule daily's window overlaps window #1."]);
    expect(liveText(h.chat, 2)).toContain('Maintenance window #2 (daily): cancelled');
    expect(liveText(h.chat, 2)).toContain('skipped: overlaps window #1');

    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 10 * 60_000);
    await stepTo(h, TODAY_START);
    await stepTo(h, TODAY_END);
    expect(await windowState(h, 2)).toBe('cancelled');
    expect(deploy.mock.calls.map(([spec]) => spec.windowId)).toEqual([1]);
    expect(await h.repositories.nodeProgress.list(2)).toEqual([]);
    expect(await auditActions(h.repositories, 'window:2')).toEqual(['window.requested']);
  });
});
