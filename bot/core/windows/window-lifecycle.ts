// The window state machine. Pure: given a window, an event and "now", it returns the next window
// or the reason the event does not apply. The engine stores the result before any side effect.
import type { CloseReason, MaintenanceWindow, WindowState } from './maintenance-window.ts';

export type WindowEvent =
  | { readonly type: 'approve'; readonly actor: string }
  | { readonly type: 'reject'; readonly actor: string }
  | { readonly type: 'expire' }
  | { readonly type: 'schedule' }
  | { readonly type: 'begin-opening' }
  | { readonly type: 'daemon-deployed' }
  | { readonly type: 'begin-closing'; readonly reason: CloseReason }
  | { readonly type: 'daemon-removed' }
  | { readonly type: 'cancel'; readonly actor: string }
  | { readonly type: 'fail'; readonly reason: string }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' };

export type TransitionResult = { readonly ok: true; readonly window: MaintenanceWindow } | { readonly ok: false; readonly reason: string };

/** Which states each event may start from. */
const ALLOWED_FROM: Readonly<Record<WindowEvent['type'], readonly WindowState[]>> = {
  approve: ['requested'],
  reject: ['requested'],
  expire: ['requested'],
  schedule: ['approved'],
  'begin-opening': ['scheduled'],
  'daemon-deployed': ['opening'],
  'begin-closing': ['opening', 'open'],
  'daemon-removed': ['closing'],
  cancel: ['requested', 'approved', 'scheduled'],
  fail: ['requested', 'approved', 'scheduled', 'opening', 'open', 'closing'],
  pause: ['open'],
  resume: ['open'],
};

export function applyWindowEvent(window: MaintenanceWindow, event: WindowEvent, now: Date): TransitionResult {
  if (!ALLOWED_FROM[event.type].includes(window.state)) {
    return { ok: false, reason: `window #${window.id} is ${window.state}; it cannot ${describeEvent(event)}` };
  }
  switch (event.type) {
    case 'approve':
      return next(window, { state: 'approved', decidedBy: event.actor, decidedAt: now });
    case 'reject':
      return next(window, { state: 'rejected', decidedBy: event.actor, decidedAt: now, note: `rejected by ${event.actor}` });
    case 'expire':
      return next(window, { state: 'expired', note: 'nobody approved it in time' });
    case 'schedule':
      return next(window, { state: 'scheduled' });
    case 'begin-opening':
      return next(window, { state: 'opening' });
    case 'daemon-deployed':
      return next(window, { state: 'open', openedAt: now });
    case 'begin-closing':
      return next(window, { state: 'closing', closeReason: event.reason });
    case 'daemon-removed':
      return next(window, { state: 'closed', closedAt: now, paused: false });
    case 'cancel':
      return next(window, { state: 'cancelled', note: `cancelled by ${event.actor}` });
    case 'fail':
      return next(window, { state: 'failed', note: event.reason, closedAt: now });
    case 'pause':
      return window.paused ? { ok: false, reason: `window #${window.id} is paused already` } : next(window, { paused: true });
    case 'resume':
      return window.paused ? next(window, { paused: false }) : { ok: false, reason: `window #${window.id} is not paused` };
  }
}

function next(window: MaintenanceWindow, changes: Partial<MaintenanceWindow>): TransitionResult {
  return { ok: true, window: { ...window, ...changes } };
}

function describeEvent(event: WindowEvent): string {
  switch (event.type) {
    case 'approve':
      return 'be approved';
    case 'reject':
      return 'be rejected';
    case 'expire':
      return 'expire';
    case 'schedule':
      return 'be scheduled';
    case 'begin-opening':
      return 'open';
    case 'daemon-deployed':
      return 'become open';
    case 'begin-closing':
      return 'be closed';
    case 'daemon-removed':
      return 'finish closing';
    case 'cancel':
      return 'be cancelled';
    case 'fail':
      return 'fail';
    case 'pause':
      return 'be paused';
    case 'resume':
      return 'be resumed';
  }
}
