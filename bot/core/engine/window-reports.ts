// status, nodes and history: read-only answers built from the store and the last node snapshot.
import type { Reply } from '../commands/command-context.ts';
import { durationMs } from '../windows/node-progress.ts';
import { formatElapsed, formatSpan } from '../windows/window-message.ts';
import { windowLabel } from '../windows/maintenance-window.ts';
import type { EngineContext } from './engine-context.ts';

export async function statusReport(context: EngineContext): Promise<Reply> {
  const live = await context.repositories.windows.listLive();
  const daemon = await context.cluster.rebootDaemon();
  const pending = context.memory.nodes.filter((node) => node.pendingReboot !== undefined);
  const lines: string[] = [];
  for (const window of live) {
    const progress = await context.repositories.nodeProgress.list(window.id);
    const done = progress.filter((node) => node.state === 'done').length;
    const counts = progress.length > 0 ? ` · ${done}/${progress.length} done` : '';
    const paused = window.paused ? ' (paused)' : '';
    lines.push(`Window ${windowLabel(window)} ${window.state}${paused}: ${formatSpan(window.start, window.end, window.zone)}${counts}`);
  }
  if (live.length === 0) lines.push('No window is open or planned.');
  lines.push(
    pending.length === 0
      ? 'No node needs a reboot.'
      : `${pending.length} node(s) need a reboot: ${pending.map((node) => node.name).sort().join(', ')} (say "nodes" for details)`,
  );
  lines.push(`Reboot daemon: ${daemon.present ? `deployed for window #${daemon.windowId ?? '?'}` : 'not deployed'}`);
  lines.push(`Cluster: ${context.cluster.description}`);
  return { ok: true, text: lines.join('\n') };
}

export function nodesReport(context: EngineContext): Reply {
  const nodes = [...context.memory.nodes].sort((a, b) => a.name.localeCompare(b.name));
  if (nodes.length === 0) return { ok: true, text: 'The cluster reports no nodes.' };
  const lines = nodes.map((node) => {
    const state = [node.ready ? 'Ready' : 'NotReady', node.unschedulable ? 'cordoned' : undefined].filter((part) => part !== undefined).join(', ');
    const pending = node.pendingReboot;
    if (pending === undefined) return `${node.name}: ${state}`;
    const since = pending.since === undefined ? '' : ` since ${pending.since.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const packages = pending.packages.length === 0 ? '' : ` for ${pending.packages.join(', ')}`;
    return `${node.name}: ${state}; needs a reboot${since}${packages}`;
  });
  return { ok: true, text: lines.join('\n') };
}

export async function historyReport(context: EngineContext, count: number): Promise<Reply> {
  const windows = await context.repositories.windows.listRecent(count);
  if (windows.length === 0) return { ok: true, text: 'No windows yet.' };
  const lines: string[] = [];
  for (const window of windows) {
    const progress = await context.repositories.nodeProgress.list(window.id);
    const done = progress.filter((node) => node.state === 'done');
    const times = done.map(durationMs).filter((ms): ms is number => ms !== undefined);
    const average = times.length === 0 ? '' : `, ${formatElapsed(times.reduce((a, b) => a + b, 0) / times.length)} per node`;
    const outcome = progress.length === 0 ? '' : ` · ${done.length}/${progress.length} rebooted${average}`;
    const note = window.note === undefined ? '' : ` · ${window.note}`;
    lines.push(`${windowLabel(window)} ${window.state}: ${formatSpan(window.start, window.end, window.zone)}${outcome}${note}`);
  }
  return { ok: true, text: lines.join('\n') };
}
