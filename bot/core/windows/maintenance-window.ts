// A maintenance window: [start, end) in a zone, during which the reboot daemon may reboot nodes.

export const WINDOW_STATES = [
  'requested',
  'approved',
  'rejected',
  'expired',
  'scheduled',
  'opening',
  'open',
  'closing',
  'closed',
  'cancelled',
  'failed',
] as const;
export type WindowState = (typeof WINDOW_STATES)[number];

/** States a window never leaves. */
export const FINAL_WINDOW_STATES: readonly WindowState[] = ['rejected', 'expired', 'closed', 'cancelled', 'failed'];

/** States in which a window still claims its time span (new windows may not overlap it). */
export const LIVE_WINDOW_STATES: readonly WindowState[] = ['requested', 'approved', 'scheduled', 'opening', 'open', 'closing'];

export type WindowOrigin =
  | { readonly kind: 'on-demand' }
  | { readonly kind: 'schedule'; readonly scheduleId: number; readonly scheduleName: string | undefined };

/** ended: its end time came; completed: every node was done before that; closed-early: someone closed it. */
export type CloseReason = 'ended' | 'completed' | 'closed-early';

export interface MaintenanceWindow {
  readonly id: number;
  readonly origin: WindowOrigin;
  readonly state: WindowState;
  readonly start: Date;
  readonly end: Date;
  /** IANA zone the window is shown in. */
  readonly zone: string;
  readonly concurrency: number;
  readonly nodeSelector: string | undefined;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly approvalRequired: boolean;
  /** An unapproved request expires at this instant. */
  readonly approvalExpiresAt: Date | undefined;
  readonly decidedBy: string | undefined;
  readonly decidedAt: Date | undefined;
  readonly paused: boolean;
  readonly openedAt: Date | undefined;
  readonly closedAt: Date | undefined;
  readonly closeReason: CloseReason | undefined;
  /** Why the window failed, was cancelled or expired, for people. */
  readonly note: string | undefined;
}

export function isFinal(window: MaintenanceWindow): boolean {
  return FINAL_WINDOW_STATES.includes(window.state);
}

export function isLive(window: MaintenanceWindow): boolean {
  return LIVE_WINDOW_STATES.includes(window.state);
}

export function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

export function windowLabel(window: MaintenanceWindow): string {
  const name = window.origin.kind === 'schedule' && window.origin.scheduleName !== undefined ? ` (${window.origin.scheduleName})` : '';
  return `#${window.id}${name}`;
}

/** What a new window is made of; the fields that only later transitions set start empty. */
export type WindowRequest = Omit<
  MaintenanceWindow,
  'id' | 'decidedBy' | 'decidedAt' | 'paused' | 'openedAt' | 'closedAt' | 'closeReason'
>;

export function newWindow(request: WindowRequest): Omit<MaintenanceWindow, 'id'> {
  return { ...request, decidedBy: undefined, decidedAt: undefined, paused: false, openedAt: undefined, closedAt: undefined, closeReason: undefined };
}
