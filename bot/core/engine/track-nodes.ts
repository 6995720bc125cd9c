// Turns cluster observations into per-node progress of the open window, with a thread reply
// for every milestone (cordoned, drain blocked, rebooting, back, done, stuck).
import type { ChatMessage } from '../ports/chat-port.ts';
import type { NodeSnapshot, RebootLock } from '../ports/cluster-port.ts';
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import { initialProgress, observeNode } from '../windows/node-progress.ts';
import type { NodeProgress, NodeState } from '../windows/node-progress.ts';
import { formatElapsed, NODE_ICON } from '../windows/window-message.ts';
import { closeIfComplete, selectorFor } from './advance-windows.ts';
import type { EngineContext } from './engine-context.ts';
import { recordWindow, textMessage } from './engine-context.ts';
import { measureStep, reportSteps } from './node-metrics.ts';
import type { ProgressMeasurement } from './node-metrics.ts';
import { reportStuckLocks } from './stuck-lock-alerts.ts';
import { podCount } from '../text/pod-count.ts';

export async function trackNodes(context: EngineContext): Promise<void> {
  const open = (await context.repositories.windows.listLive()).filter((window) => window.state === 'open');
  if (open.length === 0) return;
  const lock = await context.cluster.readLock();
  // Windows never overlap, so the one open window owns kured's lock.
  if (open[0] !== undefined) await reportStuckLocks(context, open[0], lock);
  for (const window of open) await trackWindow(context, window, lock);
}

async function trackWindow(context: EngineContext, window: MaintenanceWindow, lock: RebootLock): Promise<void> {
  const now = context.clock.now();
  const before = await context.repositories.nodeProgress.list(window.id);
  const known = new Map(before.map((progress) => [progress.node, progress]));
  const selects = selectorFor(window);
  const changed: NodeProgress[] = [];
  const replies: ChatMessage[] = [];
  const measured: ProgressMeasurement[] = [];
  for (const snapshot of context.memory.nodes) {
    let previous = known.get(snapshot.name);
    // kured reboots any selected node whose sentinel appears during the window, so track it too.
    if (previous === undefined) {
      if (snapshot.pendingReboot === undefined || !selects(snapshot)) continue;
      previous = initialProgress(snapshot);
      changed.push(previous);
      replies.push(textMessage(`➕ ${snapshot.name} needs a reboot too; it joins window #${window.id}.`));
    }
    const next = observeNode(previous, snapshot, lock, now, context.settings.progress);
    if (!sameProgress(previous, next)) {
      changed.push(next);
      measured.push(measureStep(previous, next, now));
      const milestone = milestoneText(previous, next, snapshot);
      if (milestone !== undefined) replies.push(textMessage(milestone));
    }
    known.set(snapshot.name, next);
  }
  if (changed.length > 0) {
    // Progress and its replies in one transaction: a crash in between would lose the replies for good.
    await recordWindow(context, window, { replies }, async (repositories) => {
      for (const progress of changed) await repositories.nodeProgress.save(window.id, progress);
    });
    // Only once stored: a step that was not stored is seen again at the next observation.
    reportSteps(context.metrics, measured);
  }
  // Also without a change: a bot restarted after the last node's progress was stored must still close.
  if (known.size > 0) await closeIfComplete(context, window, [...known.values()]);
}

function sameProgress(a: NodeProgress, b: NodeProgress): boolean {
  return a.state === b.state && a.podsLeft === b.podsLeft && a.blockedBy === b.blockedBy;
}

/** Only state changes that people care about get a reply; pod counts only update the live message. */
function milestoneText(previous: NodeProgress, next: NodeProgress, snapshot: NodeSnapshot): string | undefined {
  if (previous.state === next.state && previous.blockedBy === next.blockedBy) return undefined;
  const icon = NODE_ICON[next.state];
  const texts: Partial<Record<NodeState, string>> = {
    cordoned: `${icon} ${next.node} cordoned`,
    'drain-blocked': `${icon} ${next.node}: drain blocked by ${next.blockedBy ?? 'an eviction refusal'}`,
    rebooting: `${icon} ${next.node} rebooting`,
    back: `${icon} ${next.node} is back (new boot id ${snapshot.bootId.slice(0, 8)})`,
    done: `${icon} ${next.node} done${next.startedAt !== undefined && next.doneAt !== undefined ? ` in ${formatElapsed(next.doneAt.getTime() - next.startedAt.getTime())}` : ''}`,
    stuck: `${icon} ${next.node} is not back after its reboot; check it`,
  };
  if (next.state === 'draining' && previous.state === 'cordoned') return `${NODE_ICON.draining} ${next.node} draining (${podCount(next.podsLeft)})`;
  return texts[next.state];
}

