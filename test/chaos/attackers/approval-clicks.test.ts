// Approval clicks that must not open a window: by someone who is not an approver, by the
// requester (four-eyes), on a request that expired or was already decided, replayed, forged
// (unknown actions, odd ids), and two approvers racing. Each is refused, audited as a refusal, and
// changes nothing else: the window keeps its state, kured is not deployed, nothing is posted.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../bot/core/ports/chat-port.ts';
import { ALICE, BOB, MALLORY, startEngineHarness } from '../../support/engine-harness.ts';
import type { EngineHarness } from '../../support/engine-harness.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { auditedSince, storedState } from '../fuzz/stored-state.ts';

const dirs = tempDirs();
let h: EngineHarness;
const CAROL: Actor = { id: 'console:carol', displayName: 'carol' };

beforeEach(async () => {
  h = await startEngineHarness({ path: join(dirs.make(), 'clicks.sqlite') });
});

afterEach(async () => {
  await h.shutdown();
  dirs.removeAll();
});

/** Alice asks for a window starting in an hour; it waits for someone else's approval. */
async function requested(): Promise<number> {
  const reply = await h.engine.command(ALICE, 'open 2h at 2026-11-25T13:00:00Z --reason kernel');
  expect(reply.ok, reply.text).toBe(true);
  const [window] = await h.repositories.windows.listLive();
  expect(window?.state).toBe('requested');
  return window?.id ?? 0;
}

/** A click that must be refused: its reply, and proof that only its refusal was written. */
async function refusedClick(actor: Actor, action: string, value: string): Promise<string> {
  const before = await storedState(h.store.database);
  const outbox = await h.repositories.outbox.countPending();
  const reply = await h.engine.action(actor, action, value);
  expect(reply.ok, reply.text).toBe(false);
  const audited = await auditedSince(h.store.database, before);
  expect(audited).toHaveLength(1);
  expect(audited[0]).toMatch(/refused$/);
  expect((await storedState(h.store.database)).changes - before.changes).toBe(1);
  expect(await h.repositories.outbox.countPending()).toBe(outbox);
  expect((await h.cluster.rebootDaemon()).present).toBe(false);
  return reply.text;
}

describe('approval clicks that must be refused', () => {
  it('from someone who is not an approver, and from the requester (four-eyes)', async () => {
    const id = await requested();
    expect(await refusedClick(MALLORY, 'approve', String(id))).toContain('console:mallory is not an approver');
    expect(await refusedClick(CAROL, 'approve', String(id))).toContain('not an approver');
    expect(await refusedClick(MALLORY, 'reject', String(id))).toContain('not an approver');
    expect(await refusedClick(ALICE, 'approve', String(id))).toBe('refused: four-eyes: someone other than the requester must approve');
    expect((await h.repositories.windows.get(id))?.state).toBe('requested');
  });

  it('on a request that expired: nobody can approve it any more', async () => {
    const id = await requested();
    await h.step(2 * 3_600_000 + 1000);
    const state = (await h.repositories.windows.get(id))?.state;
    expect(state).not.toBe('requested');
    expect(await refusedClick(BOB, 'approve', String(id))).toMatch(new RegExp(`window #${id} is ${state ?? ''}|has expired`));
    expect((await h.repositories.windows.get(id))?.state).toBe(state);
  });

  it('on a request already decided, and the same click replayed', async () => {
    const id = await requested();
    const approved = await h.engine.action(BOB, 'approve', String(id));
    expect(approved).toEqual({ ok: true, text: `You approved window #${id}.` });
    const decidedBy = (await h.repositories.windows.get(id))?.decidedBy;
    // Bob's click again (a double click, a replayed request), and a late reject by the other approver.
    expect(await refusedClick(BOB, 'approve', String(id))).toContain(`window #${id} is scheduled by console:bob; there is nothing to approve`);
    expect(await refusedClick(ALICE, 'reject', String(id))).toContain('there is nothing to reject');
    expect((await h.repositories.windows.get(id))?.decidedBy).toBe(decidedBy);
    expect((await h.repositories.audit.list({ action: 'window.approved' })).length).toBe(1);
  });

  it('on a rejected request: approving it afterwards does not bring it back', async () => {
    const id = await requested();
    expect((await h.engine.action(BOB, 'reject', String(id))).ok).toBe(true);
    expect(await refusedClick(BOB, 'approve', String(id))).toContain('rejected');
    expect((await h.repositories.windows.get(id))?.state).toBe('rejected');
  });

  it('forged clicks: unknown actions, ids that are not plain numbers, windows that do not exist', async () => {
    const id = await requested();
    for (const [action, value] of [
      ['APPROVE', String(id)], ['approve ', String(id)], ['open', String(id)], ['approve', ` ${id}`], ['approve', `${id}; reject ${id}`],
      ['approve', '-1'], ['approve', '1e0'], ['approve', '0x1'], ['approve', `${id}\n`], ['approve', ''], ['approve', '9'.repeat(12)],
      ['approve', '$(reboot)'], ['__proto__', String(id)],
    ] as const) {
      expect(await refusedClick(BOB, action, value)).toBe('unknown action');
    }
    expect(await refusedClick(BOB, 'approve', '999')).toBe('no window #999');
    expect(await refusedClick(BOB, 'approve', '0')).toBe('no window #0');
    expect((await h.repositories.windows.get(id))?.state).toBe('requested');
  });

  it('two approvers clicking at the same moment: one approval, the other refused', async () => {
    const id = await requested();
    const before = await storedState(h.store.database);
    const replies = await Promise.all([h.engine.action(BOB, 'approve', String(id)), h.engine.action({ id: 'console:bob', displayName: 'bob' }, 'approve', String(id))]);
    expect(replies.map((reply) => reply.ok).sort()).toEqual([false, true]);
    const audited = await auditedSince(h.store.database, before);
    expect(audited.filter((action) => action === 'window.approved')).toHaveLength(1);
    expect(audited.filter((action) => action === 'window.decision-refused')).toHaveLength(1);
  });
});
