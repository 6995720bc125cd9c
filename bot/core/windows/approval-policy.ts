// Who may approve or reject a window request. Checked on the server for every click and
// command, whatever the UI showed: opening a window reboots production nodes.
import type { MaintenanceWindow } from './maintenance-window.ts';

export interface ApprovalSettings {
  /** Actor ids allowed to decide (`console:alice`, `slack:U123`, …), and groups (`slack-group:S123`). */
  readonly approvers: readonly string[];
  /** The requester may not approve their own request (four-eyes). */
  readonly fourEyes: boolean;
}

/** The members (actor ids) of each approver group as last read from the platform; a group not in it has none yet. */
export type ApproverGroups = ReadonlyMap<string, ReadonlySet<string>>;

const NO_GROUPS: ApproverGroups = new Map();

/** An approver by id, or as a member of an approver group. */
export function isApprover(actor: string, approvers: readonly string[], groups: ApproverGroups = NO_GROUPS): boolean {
  return approvers.some((approver) => approver === actor || groups.get(approver)?.has(actor) === true);
}

export type ApprovalCheck = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export function mayDecide(
  actor: string,
  window: MaintenanceWindow,
  decision: 'approve' | 'reject',
  settings: ApprovalSettings,
  now: Date,
  groups: ApproverGroups = NO_GROUPS,
): ApprovalCheck {
  if (window.state !== 'requested') {
    const decided = window.decidedBy === undefined ? '' : ` by ${window.decidedBy}`;
    return { allowed: false, reason: `window #${window.id} is ${window.state}${decided}; there is nothing to ${decision}` };
  }
  if (window.approvalExpiresAt !== undefined && now.getTime() >= window.approvalExpiresAt.getTime()) {
    return { allowed: false, reason: `the request for window #${window.id} has expired` };
  }
  // Withdrawing your own request is always fine, approver or not; approving it is what four-eyes forbids.
  if (decision === 'reject' && actor === window.requestedBy) return { allowed: true };
  if (!isApprover(actor, settings.approvers, groups)) return notAnApprover(actor, settings);
  if (decision === 'approve' && settings.fourEyes && actor === window.requestedBy) {
    return { allowed: false, reason: 'four-eyes: someone other than the requester must approve' };
  }
  return { allowed: true };
}

/** Releasing a stuck reboot lock lets kured reboot the next node: approvers only (nobody asked for it, so no four-eyes). */
export function mayReleaseLock(actor: string, settings: ApprovalSettings, groups: ApproverGroups = NO_GROUPS): ApprovalCheck {
  return isApprover(actor, settings.approvers, groups) ? { allowed: true } : notAnApprover(actor, settings);
}

function notAnApprover(actor: string, settings: ApprovalSettings): ApprovalCheck {
  return { allowed: false, reason: `${actor} is not an approver; ask one of: ${settings.approvers.join(', ')}` };
}
