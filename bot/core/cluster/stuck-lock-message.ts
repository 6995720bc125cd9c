// The chat side of a stuck kured lock: the alert with its Release button, the same alert once the
// lock is released (or found free), the thread note, and the button's value, which names the
// holder and the acquisition judged stuck so a late click cannot free a later, healthy lock.
import type { ChatMessage, MessageAction } from '../ports/chat-port.ts';
import { formatTime } from '../windows/window-message.ts';
import type { StuckLock } from './stuck-locks.ts';

export const RELEASE_LOCK_ACTION = 'release-lock';

export interface StuckLockAlert {
  readonly stuck: StuckLock;
  readonly windowId: number;
  /** The window's zone, for times. */
  readonly zone: string;
}

export function stuckLockMessage({ stuck, windowId, zone }: StuckLockAlert): ChatMessage {
  const header = `🔒 kured's lock is stuck (window #${windowId})`;
  const release: MessageAction = {
    action: RELEASE_LOCK_ACTION,
    label: 'Release',
    style: 'danger',
    value: releaseValue(stuck.holder, stuck.since),
    confirm:
      stuck.reason === 'holder-gone'
        ? `Release kured's lock held by ${stuck.holder}? kured then reboots the next node.`
        : `Release kured's lock held by ${stuck.holder}? kured then reboots the next node, even if ${stuck.holder} is still down.`,
  };
  return {
    fallbackText: `${header}: ${plain(reasonText(stuck))}`,
    blocks: [
      { kind: 'header', text: header },
      { kind: 'text', text: reasonText(stuck) },
      { kind: 'text', text: consequenceText(stuck, windowId) },
      { kind: 'context', text: `${sinceText(stuck, zone)}Only approvers may release it (or type \`release-lock ${stuck.holder}\`).` },
      { kind: 'actions', actions: [release] },
    ],
  };
}

/** The alert after someone released the lock: no button any more. */
export function releasedLockMessage(alert: StuckLockAlert, by: string, at: Date): ChatMessage {
  const header = `🔓 kured's lock released (window #${alert.windowId})`;
  return {
    fallbackText: `${header}: ${alert.stuck.holder} no longer holds it`,
    blocks: [
      { kind: 'header', text: header },
      { kind: 'text', text: reasonText(alert.stuck) },
      { kind: 'context', text: `Released by ${by} at ${formatTime(at, alert.zone)}.` },
    ],
  };
}

/** The alert after a click found the lock free already (kured or the node let go): no button any more. */
export function freedLockMessage(alert: StuckLockAlert, at: Date): ChatMessage {
  const header = `🔓 kured's lock is free again (window #${alert.windowId})`;
  return {
    fallbackText: `${header}: ${alert.stuck.holder} no longer holds it`,
    blocks: [
      { kind: 'header', text: header },
      { kind: 'text', text: reasonText(alert.stuck) },
      { kind: 'context', text: `${alert.stuck.holder} no longer held it at ${formatTime(at, alert.zone)}; nothing had to be released.` },
    ],
  };
}

/** The thread note after a release: what happens now, and what is left to do by hand. */
export function releaseNote(stuck: StuckLock, by: string): string {
  const freed = `🔓 ${by} released kured's lock held by ${stuck.holder}; kured may now reboot the next node.`;
  if (stuck.reason === 'holder-gone') return freed;
  // kured uncordons a rebooted node only while it holds the lock.
  return `${freed} If ${stuck.holder} comes back it stays cordoned: check it, then \`kubectl uncordon ${stuck.holder}\`.`;
}

export function reasonText(stuck: StuckLock): string {
  if (stuck.reason === 'holder-gone') {
    const held = stuck.heldMs === undefined ? '' : ` (for ${formatHeld(stuck.heldMs)})`;
    return `kured's lock is held by *${stuck.holder}*, which no longer exists in the cluster${held}.`;
  }
  return `kured's lock has been held by *${stuck.holder}* for ${formatHeld(stuck.heldMs ?? 0)}, longer than its TTL of ${formatTtl(stuck.ttlMs)}.`;
}

function consequenceText(stuck: StuckLock, windowId: number): string {
  if (stuck.reason === 'holder-gone') return `Nothing will release it by itself: no further node of window #${windowId} reboots until someone does.`;
  return `${stuck.holder} should have finished its reboot by now. While it holds the lock no further node of window #${windowId} starts.`;
}

function sinceText(stuck: StuckLock, zone: string): string {
  return stuck.since === undefined ? '' : `Held since ${formatTime(stuck.since, zone)} ${zone}. `;
}

/** `node-3@1772917260000`: the holder and its acquisition (ms); just the holder when the lock has no time. */
export function releaseValue(holder: string, since: Date | undefined): string {
  return since === undefined ? holder : `${holder}@${since.getTime()}`;
}

/** What releaseValue wrote, or undefined for anything else. */
export function parseReleaseValue(value: string): { readonly holder: string; readonly since: Date | undefined } | undefined {
  const match = /^([^\s@]{1,253})(?:@(\d{1,15}))?$/.exec(value);
  if (match?.[1] === undefined) return undefined;
  return { holder: match[1], since: match[2] === undefined ? undefined : new Date(Number(match[2])) };
}

/** 47 min, 2 h 05 min, 40 s. */
export function formatHeld(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.floor(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** As kured's --lock-ttl is written: 30m, 1h, 1h30m, 90s → 1m30s. */
export function formatTtl(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  if (seconds >= 3600) parts.push(`${Math.floor(seconds / 3600)}h`);
  if (seconds % 3600 >= 60) parts.push(`${Math.floor((seconds % 3600) / 60)}m`);
  if (seconds % 60 > 0 || parts.length === 0) parts.push(`${seconds % 60}s`);
  return parts.join('');
}

function plain(text: string): string {
  return text.replace(/\*/g, '');
}
