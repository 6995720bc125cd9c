// Who may approve or reject a request: an approver other than the requester (four-eyes, unless
// switched off); the requester may withdraw; nobody once it expired or was decided.
import { describe, expect, it } from 'vitest';
import { isApprover, mayDecide, mayReleaseLock } from '../../../../../bot/core/windows/approval-policy.ts';
import type { ApprovalSettings, ApproverGroups } from '../../../../../bot/core/windows/approval-policy.ts';
import { WINDOW_STATES } from '../../../../../bot/core/windows/maintenance-window.ts';
import { aWindow } from '../../../../support/window-fixtures.ts';

const ALICE = 'console:alice';
const BOB = 'console:bob';
const MALLORY = 'console:mallory';

const FOUR_EYES: ApprovalSettings = { approvers: [ALICE, BOB], fourEyes: true };
const SOLO: ApprovalSettings = { approvers: [ALICE, BOB], fourEyes: false };

const EXPIRES = new Date('2026-11-25T14:00:00Z');
const BEFORE_EXPIRY = new Date('2026-11-25T13:59:59.999Z');

/** Window #7, requested by alice, awaiting a decision until EXPIRES. */
const REQUEST = aWindow({ requestedBy: ALICE, approvalExpiresAt: EXPIRES });

describe('mayDecide: who', () => {
  it('lets an approver other than the requester approve', () => {
    expect(mayDecide(BOB, REQUEST, 'approve', FOUR_EYES, BEFORE_EXPIRY)).toEqual({ allowed: true });
  });

  it('lets an approver other than the requester reject', () => {
    expect(mayDecide(BOB, REQUEST, 'reject', FOUR_EYES, BEFORE_EXPIRY)).toEqual({ allowed: true });
  });

  it('refuses the requester approving their own request under four-eyes', () => {
    expect(mayDecide(ALICE, REQUEST, 'approve', FOUR_EYES, BEFORE_EXPIRY)).toEqual({
      allowed: false,
      reason: 'four-eyes: someone other than the requester must approve',
    });
  });

  it('lets the requester approve their own request when four-eyes is off', () => {
    expect(mayDecide(ALICE, REQUEST, 'approve', SOLO, BEFORE_EXPIRY)).toEqual({ allowed: true });
  });

  it.each([[FOUR_EYES], [SOLO]])('lets the requester reject (withdraw) their own request (%o)', (settings) => {
    expect(mayDecide(ALICE, REQUEST, 'reject', settings, BEFORE_EXPIRY)).toEqual({ allowed: true });
  });

  it.each<['approve' | 'reject']>([['approve'], ['reject']])('refuses a non-approver who tries to %s, naming the approvers', (decision) => {
    expect(mayDecide(MALLORY, REQUEST, decision, FOUR_EYES, BEFORE_EXPIRY)).toEqual({
      allowed: false,
      reason: 'console:mallory is not an approver; ask one of: console:alice, console:bob',
    });
  });

  it('lets a requester who is not an approver withdraw (reject) their own request, but not approve it', () => {
    const mallorysRequest = aWindow({ requestedBy: MALLORY, approvalExpiresAt: EXPIRES });
    expect(mayDecide(MALLORY, mallorysRequest, 'reject', FOUR_EYES, BEFORE_EXPIRY)).toEqual({ allowed: true });
    expect(mayDecide(MALLORY, mallorysRequest, 'approve', SOLO, BEFORE_EXPIRY)).toMatchObject({ allowed: false });
  });

  it('refuses everyone when nobody is an approver', () => {
    const check = mayDecide(BOB, REQUEST, 'approve', { approvers: [], fourEyes: true }, BEFORE_EXPIRY);

    expect(check).toEqual({ allowed: false, reason: 'console:bob is not an approver; ask one of: ' });
  });

  it('compares actor ids exactly: the same name on another platform is someone else', () => {
    const check = mayDecide('slack:bob', REQUEST, 'approve', FOUR_EYES, BEFORE_EXPIRY);

    expect(check.allowed).toBe(false);
  });

  it('four-eyes compares with the requester, whoever that is', () => {
    const bobsRequest = aWindow({ requestedBy: BOB, approvalExpiresAt: EXPIRES });

    expect(mayDecide(BOB, bobsRequest, 'approve', FOUR_EYES, BEFORE_EXPIRY).allowed).toBe(false);
    expect(mayDecide(ALICE, bobsRequest, 'approve', FOUR_EYES, BEFORE_EXPIRY).allowed).toBe(true);
  });
});

describe('mayDecide: when', () => {
  it.each<['approve' | 'reject', string]>([
    ['approve', '2026-11-25T14:00:00.000Z'],
    ['reject', '2026-11-25T14:00:00.000Z'],
    ['approve', '2026-11-26T09:00:00.000Z'],
  ])('refuses to %s at %s, once the request expired (now >= approvalExpiresAt)', (decision, now) => {
    expect(mayDecide(BOB, REQUEST, decision, FOUR_EYES, new Date(now))).toEqual({
      allowed: false,
      reason: 'the request for window #7 has expired',
    });
  });

  it('allows a decision one millisecond before expiry', () => {
    expect(mayDecide(BOB, REQUEST, 'approve', FOUR_EYES, BEFORE_EXPIRY)).toEqual({ allowed: true });
  });

  it('a request without an expiry never expires', () => {
    const open = aWindow({ approvalExpiresAt: undefined });

    expect(mayDecide(BOB, open, 'approve', FOUR_EYES, new Date('2030-01-01T00:00:00Z'))).toEqual({ allowed: true });
  });

  it('says an expired request expired before asking whether the actor may decide', () => {
    const check = mayDecide(MALLORY, REQUEST, 'approve', FOUR_EYES, EXPIRES);

    expect(check).toEqual({ allowed: false, reason: 'the request for window #7 has expired' });
  });
});

describe('mayDecide: decided windows', () => {
  it.each<['approve' | 'reject']>([['approve'], ['reject']])('refuses to %s an approved window, saying who approved it', (decision) => {
    const approved = aWindow({ state: 'approved', decidedBy: BOB, decidedAt: new Date('2026-11-25T12:30:00Z') });

    expect(mayDecide(ALICE, approved, decision, FOUR_EYES, BEFORE_EXPIRY)).toEqual({
      allowed: false,
      reason: `window #7 is approved by console:bob; there is nothing to ${decision}`,
    });
  });

  it('refuses to approve a rejected window, saying who rejected it', () => {
    const rejected = aWindow({ state: 'rejected', decidedBy: BOB, decidedAt: new Date('2026-11-25T12:30:00Z') });

    expect(mayDecide(BOB, rejected, 'approve', FOUR_EYES, BEFORE_EXPIRY)).toEqual({
      allowed: false,
      reason: 'window #7 is rejected by console:bob; there is nothing to approve',
    });
  });

  it('refuses a pre-approved window without naming anyone', () => {
    const preApproved = aWindow({ state: 'approved', approvalRequired: false, approvalExpiresAt: undefined });

    expect(mayDecide(BOB, preApproved, 'approve', FOUR_EYES, BEFORE_EXPIRY)).toEqual({
      allowed: false,
      reason: 'window #7 is approved; there is nothing to approve',
    });
  });

  it.each(WINDOW_STATES.filter((state) => state !== 'requested'))('refuses every decision on a %s window, even by an approver', (state) => {
    const window = aWindow({ state, decidedBy: BOB, decidedAt: new Date('2026-11-25T12:30:00Z') });
    for (const decision of ['approve', 'reject'] as const) {
      for (const settings of [FOUR_EYES, SOLO]) {
        expect(mayDecide(BOB, window, decision, settings, BEFORE_EXPIRY)).toEqual({
          allowed: false,
          reason: `window #7 is ${state} by console:bob; there is nothing to ${decision}`,
        });
      }
    }
  });

  it('says a decided window was decided even after its request would have expired', () => {
    const approved = aWindow({ state: 'approved', decidedBy: BOB, decidedAt: new Date('2026-11-25T12:30:00Z') });

    expect(mayDecide(BOB, approved, 'approve', FOUR_EYES, new Date('2026-11-26T00:00:00Z'))).toEqual({
      allowed: false,
      reason: 'window #7 is approved by console:bob; there is nothing to approve',
    });
  });
});

describe('mayReleaseLock', () => {
  it('lets any approver release a stuck lock (no requester, so no four-eyes)', () => {
    expect(mayReleaseLock(ALICE, FOUR_EYES)).toEqual({ allowed: true });
    expect(mayReleaseLock(BOB, SOLO)).toEqual({ allowed: true });
  });

  it('refuses everyone else, naming who may', () => {
    expect(mayReleaseLock(MALLORY, FOUR_EYES)).toEqual({ allowed: false, reason: 'console:mallory is not an approver; ask one of: console:alice, console:bob' });
    expect(mayReleaseLock('slack:U0ALICE', FOUR_EYES).allowed).toBe(false);
  });
});

describe('approver groups', () => {
  const ONCALL = 'slack-group:S0ONCALL';
  const WITH_GROUP: ApprovalSettings = { approvers: [ALICE, ONCALL], fourEyes: true };
  const GROUPS: ApproverGroups = new Map([[ONCALL, new Set(['slack:U0CAROL', 'slack:U0DAVE'])]]);
  const SLACK_REQUEST = aWindow({ requestedBy: 'slack:U0DAVE', approvalExpiresAt: EXPIRES });

  it('a member of an approver group is an approver; others, and a group nobody has read yet, are not', () => {
    expect(isApprover('slack:U0CAROL', WITH_GROUP.approvers, GROUPS)).toBe(true);
    expect(isApprover(ALICE, WITH_GROUP.approvers, GROUPS)).toBe(true);
    expect(isApprover('slack:U0MALLORY', WITH_GROUP.approvers, GROUPS)).toBe(false);
    expect(isApprover('slack:U0CAROL', WITH_GROUP.approvers, new Map())).toBe(false);
    // a group's id is not a person: acting as the group's id grants nothing
    expect(isApprover(ONCALL, [ALICE], GROUPS)).toBe(false);
  });

  it('lets a group member decide, and keeps four-eyes for a member who requested', () => {
    expect(mayDecide('slack:U0CAROL', SLACK_REQUEST, 'approve', WITH_GROUP, BEFORE_EXPIRY, GROUPS)).toEqual({ allowed: true });
    expect(mayDecide('slack:U0DAVE', SLACK_REQUEST, 'approve', WITH_GROUP, BEFORE_EXPIRY, GROUPS)).toEqual({ allowed: false, reason: 'four-eyes: someone other than the requester must approve' });
    expect(mayDecide('slack:U0MALLORY', SLACK_REQUEST, 'approve', WITH_GROUP, BEFORE_EXPIRY, GROUPS)).toEqual({
      allowed: false,
      reason: 'slack:U0MALLORY is not an approver; ask one of: console:alice, slack-group:S0ONCALL',
    });
  });

  it('lets a group member release a stuck lock', () => {
    expect(mayReleaseLock('slack:U0CAROL', WITH_GROUP, GROUPS)).toEqual({ allowed: true });
    expect(mayReleaseLock('slack:U0CAROL', WITH_GROUP).allowed).toBe(false);
  });
});
