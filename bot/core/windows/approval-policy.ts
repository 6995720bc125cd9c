// Who may approve or reject a window request. Checked on the server for every click and
// command, whatever the UI showed: opening a window reboots production nodes.
import type { MaintenanceWindow } from './maintenance-window.ts';

export interface ApprovalSettings {
  /** Actor ids allowed to decide (`console:alice`, `slack:U123`, …). */
  readonly approvers: readonly string[];
  /** The requester may not approve their own request (four-eyes). */
  readonly fourEyes: boolean;
}

export type ApprovalCheck = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export function mayDecide(actor: string, window: MaintenanceWindow, decision: 'approve' | 'reject', settings: ApprovalSettings, now: Date): ApprovalCheck {
  if (window.state !== 'requested') {
    const decided = window.decidedBy === undefined ? '' : ` by ${window.decidedBy}`;
    return { allowed: false, reason: `window #${window.id} is ${window.state}${decided}; there is nothing to ${decision}` };
  }
  if (window.approvalExpiresAt !== undefined && now.getTime() >= window.approvalExpiresAt.getTime()) {
    return { allowed: false, reason: `the request for window #${window.id} has expired` };
  }
  // Withdrawing your own request is always fine, approver or not; approving it is what four-eyes forbids.
  if (decision === 'reject' && actor === window.requestedBy) return { allowed: true };
  if (!settings.approvers.includes(actor)) {
    return { allowed: false, reason: `${actor} is not an approver; ask one of: ${settings.approvers.join(', ')}` };
  }
  if (decision === 'approve' && settings.fourEyes && actor === window.requestedBy) {
    return { allowed: false, reason: 'four-eyes: someone other than the requester must approve' };
  }
  return { allowed: true };
}

/** Releasing a stuck reboot lock lets kured reboot the next node: approvers only (nobody asked for it, so no four-eyes). */
export function mayReleaseLock(actor: string, settings: ApprovalSettings): ApprovalCheck {
  if (settings.approvers.includes(actor)) return { allowed: true };
  return { allowed: false, reason: `${actor} is not an approver; ask one of: ${settings.approvers.join(', ')}` };
}
