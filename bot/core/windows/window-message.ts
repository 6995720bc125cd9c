// The one live message per window: state, times in the window's zone, a line per node, n/m
// done, elapsed and ETA; Approve/Reject while it waits for a decision. Pure rendering.
import { DateTime } from 'luxon';
import type { ChatMessage, MessageBlock } from '../ports/chat-port.ts';
import type { MaintenanceWindow, WindowState } from './maintenance-window.ts';
import { windowLabel } from './maintenance-window.ts';
import type { NodeProgress, NodeState } from './node-progress.ts';
import type { WindowPlan } from './window-plan.ts';
import { podCount } from '../text/pod-count.ts';

const WINDOW_ICON: Readonly<Record<WindowState, string>> = {
  requested: '📝',
  approved: '👍',
  rejected: '❌',
  expired: '⌛',
  scheduled: '🗓️',
  opening: '🚀',
  open: '🔧',
  closing: '🧹',
  closed: '✅',
  cancelled: '🚫',
  failed: '💥',
};

export const NODE_ICON: Readonly<Record<NodeState, string>> = {
  pending: '⏳',
  waiting: '⏳',
  cordoned: '🚧',
  draining: '🔄',
  'drain-blocked': '⛔',
  rebooting: '♻️',
  back: '🔙',
  done: '✅',
  stuck: '⚠️',
  skipped: '⏭️',
};

export interface WindowMessageInput {
  readonly window: MaintenanceWindow;
  readonly nodes: readonly NodeProgress[];
  readonly plan: WindowPlan | undefined;
  readonly now: Date;
  /** Whether the requester is barred from approving (the card says who may approve). Default true. */
  readonly fourEyes?: boolean;
}

export function renderWindowMessage({ window, nodes, plan, now, fourEyes = true }: WindowMessageInput): ChatMessage {
  const state = window.paused ? `${window.state}, paused ⏸️` : window.state;
  const title = `${WINDOW_ICON[window.state]} Maintenance window ${windowLabel(window)}: ${state}`;
  const blocks: MessageBlock[] = [
    { kind: 'header', text: title },
    { kind: 'text', text: `*${formatSpan(window.start, window.end, window.zone)}*` },
    { kind: 'text', text: describeRequest(window) },
  ];
  if (nodes.length > 0) {
    blocks.push({ kind: 'lines', lines: [...nodes].sort((a, b) => a.node.localeCompare(b.node)).map((node) => nodeLine(node, now)) });
    blocks.push({ kind: 'context', text: progressLine(window, nodes, plan, now) });
  } else if (window.state === 'open' || window.state === 'closing' || window.state === 'closed') {
    blocks.push({ kind: 'context', text: 'No node in this window needs a reboot.' });
  }
  const decision = decisionLine(window, fourEyes);
  if (decision !== undefined) blocks.push({ kind: 'context', text: decision });
  if (window.state === 'requested') {
    blocks.push({
      kind: 'actions',
      actions: [
        { action: 'approve', label: 'Approve', style: 'primary', value: String(window.id) },
        { action: 'reject', label: 'Reject', style: 'danger', value: String(window.id), confirm: `Reject maintenance window #${window.id}?` },
      ],
    });
  }
  return { fallbackText: `${title} (${formatSpan(window.start, window.end, window.zone)})`, blocks };
}

export function nodeLine(node: NodeProgress, now: Date): string {
  const icon = NODE_ICON[node.state];
  switch (node.state) {
    case 'draining':
      return `${icon} ${node.node}: draining, ${podCount(node.podsLeft)} left`;
    case 'drain-blocked':
      return `${icon} ${node.node}: drain blocked by ${node.blockedBy ?? 'an eviction refusal'}`;
    case 'rebooting':
      return `${icon} ${node.node}: rebooting${since(node.rebootAt, now)}`;
    case 'stuck':
      return `${icon} ${node.node}: not back${since(node.rebootAt, now)}`;
    case 'done':
      return `${icon} ${node.node}: done${node.startedAt !== undefined && node.doneAt !== undefined ? ` in ${formatElapsed(node.doneAt.getTime() - node.startedAt.getTime())}` : ''}`;
    case 'waiting':
      return `${icon} ${node.node}: waiting for the reboot lock`;
    default:
      return `${icon} ${node.node}: ${node.state}`;
  }
}

function progressLine(window: MaintenanceWindow, nodes: readonly NodeProgress[], plan: WindowPlan | undefined, now: Date): string {
  const done = nodes.filter((node) => node.state === 'done').length;
  const parts = [`${done}/${nodes.length} done`];
  if (window.openedAt !== undefined) {
    const until = window.closedAt ?? now;
    parts.push(`elapsed ${formatElapsed(until.getTime() - window.openedAt.getTime())}`);
  }
  if (window.state === 'open' && plan !== undefined && done < nodes.length) {
    const rounds = Math.ceil((nodes.length - done) / Math.max(1, window.concurrency));
    const eta = new Date(now.getTime() + rounds * plan.perNodeMs);
    parts.push(`ETA ${formatTime(eta, window.zone)}`);
  }
  return parts.join(' · ');
}

function describeRequest(window: MaintenanceWindow): string {
  const origin = window.origin.kind === 'schedule' ? `schedule #${window.origin.scheduleId}` : `requested by ${window.requestedBy}`;
  const selector = window.nodeSelector === undefined ? 'all nodes' : `nodes \`${window.nodeSelector}\``;
  const reason = window.reason === '' ? '' : ` · "${window.reason}"`;
  return `${origin} · ${selector} · concurrency ${window.concurrency}${reason}`;
}

function decisionLine(window: MaintenanceWindow, fourEyes: boolean): string | undefined {
  if (window.state === 'requested') {
    if (!window.approvalRequired) return undefined;
    const expires = window.approvalExpiresAt === undefined ? '' : `; the request expires at ${formatTime(window.approvalExpiresAt, window.zone)}`;
    return `Needs approval by an approver${fourEyes ? ' other than the requester' : ''}${expires}.`;
  }
  if (window.decidedBy !== undefined && window.decidedAt !== undefined) {
    const verb = window.state === 'rejected' ? 'Rejected' : 'Approved';
    return `${verb} by ${window.decidedBy} at ${formatTime(window.decidedAt, window.zone)}.${window.note !== undefined && window.state !== 'rejected' ? ` ${window.note}` : ''}`;
  }
  if (!window.approvalRequired && window.decidedBy === undefined && window.state !== 'expired') {
    return window.note ?? 'Pre-approved.';
  }
  return window.note;
}

export function formatSpan(start: Date, end: Date, zone: string): string {
  const from = DateTime.fromJSDate(start, { zone }).setLocale('en');
  const to = DateTime.fromJSDate(end, { zone }).setLocale('en');
  const last = from.hasSame(to, 'day') ? to.toFormat('HH:mm') : to.toFormat('ccc yyyy-MM-dd HH:mm');
  return `${from.toFormat('ccc yyyy-MM-dd HH:mm')} → ${last} ${zone}`;
}

export function formatTime(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).setLocale('en').toFormat('HH:mm');
}

export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

function since(instant: Date | undefined, now: Date): string {
  return instant === undefined ? '' : ` for ${formatElapsed(now.getTime() - instant.getTime())}`;
}
