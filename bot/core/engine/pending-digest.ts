// The pending-nodes digest: which nodes wait for a reboot, since when, for which packages, and
// the next window. Posted when the set changes and once a day, not while a window is running.
// Changes soon after a digest was posted edit that message in place instead of posting again: a
// fleet-wide unattended upgrade makes hundreds of nodes pending within minutes, one observation
// at a time, and the channel should get one message that grows (the outbox coalesces its
// updates), not one post per node. The first digest still goes out at once.
import { DateTime } from 'luxon';
import type { ChatMessage } from '../ports/chat-port.ts';
import type { NodeSnapshot } from '../ports/cluster-port.ts';
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import { formatSpan } from '../windows/window-message.ts';
import type { EngineContext } from './engine-context.ts';

/** How long after its post a digest is edited in place rather than followed by a new post. */
export const DIGEST_GROWS_FOR_MS = 5 * 60_000;

export async function postDigestIfDue(context: EngineContext): Promise<void> {
  const now = context.clock.now();
  const pending = context.memory.nodes.filter((node) => node.pendingReboot !== undefined);
  const names = pending.map((node) => node.name).sort().join(',');
  const last = context.memory.lastDigest;
  const due = last === undefined ? pending.length > 0 : names !== last.names || now.getTime() - last.at >= context.settings.digestEveryMs;
  if (!due) return;
  const live = await context.repositories.windows.listLive();
  if (live.some((window) => window.state === 'opening' || window.state === 'open' || window.state === 'closing')) {
    // The window's card comes after the digest: the next digest is a new message below it.
    if (last?.growing !== undefined) context.memory.lastDigest = { ...last, growing: undefined };
    return;
  }
  const next = live.filter((window) => window.state !== 'requested').sort((a, b) => a.start.getTime() - b.start.getTime())[0];
  const message = digestMessage(pending, next, context.settings.defaultZone);
  const growing = last?.growing !== undefined && names !== last.names && now.getTime() - last.growing.postedAt < DIGEST_GROWS_FOR_MS ? last.growing : undefined;
  const operation = growing === undefined ? ({ kind: 'post', key: `digest:${now.getTime()}`, message } as const) : ({ kind: 'update', key: growing.key, message } as const);
  await context.transactions.run(async (repositories) => {
    await repositories.outbox.enqueue(operation, now);
  });
  context.memory.lastDigest = { names, at: now.getTime(), growing: growing ?? { key: operation.key, postedAt: now.getTime() } };
  context.outboxChanged();
}

export function digestMessage(pending: readonly NodeSnapshot[], next: MaintenanceWindow | undefined, zone: string): ChatMessage {
  if (pending.length === 0) {
    const text = '✅ No node needs a reboot any more.';
    return { fallbackText: text, blocks: [{ kind: 'text', text }] };
  }
  const title = `🩹 ${pending.length} node(s) need a reboot`;
  const lines = [...pending]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((node) => {
      const since = node.pendingReboot?.since;
      const age = since === undefined ? '' : ` since ${DateTime.fromJSDate(since, { zone }).setLocale('en').toFormat('ccc yyyy-MM-dd HH:mm')}`;
      const packages = node.pendingReboot?.packages ?? [];
      const shown = packages.length === 0 ? '' : ` (${packages.slice(0, 5).join(', ')}${packages.length > 5 ? `, +${packages.length - 5} more` : ''})`;
      return `${node.name}${age}${shown}`;
    });
  const nextText = next === undefined ? 'No window is planned: say "open 2h" or add a schedule.' : `Next window: #${next.id} ${formatSpan(next.start, next.end, next.zone)} (${next.state}).`;
  return { fallbackText: title, blocks: [{ kind: 'header', text: title }, { kind: 'lines', lines }, { kind: 'context', text: nextText }] };
}
