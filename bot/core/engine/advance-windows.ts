// Moves windows along their lifecycle as time passes and repairs half-done steps after a crash:
// each step stores the new state first, then acts on the cluster, then stores the outcome.
import { matchesLabels, parseLabelSelector } from '../cluster/label-selector.ts';
import type { NodeSnapshot } from '../ports/cluster-port.ts';
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import { closeProgress, durationMs, initialProgress } from '../windows/node-progress.ts';
import type { NodeProgress, NodeState } from '../windows/node-progress.ts';
import { applyWindowEvent } from '../windows/window-lifecycle.ts';
import type { WindowEvent } from '../windows/window-lifecycle.ts';
import { formatElapsed } from '../windows/window-message.ts';
import { planWindow } from '../windows/window-plan.ts';
import type { WindowPlan } from '../windows/window-plan.ts';
import type { EngineContext, TransitionOutput } from './engine-context.ts';
import { recordWindow, textMessage } from './engine-context.ts';
import { daemonStepDue, daemonStepSucceeded, reportDaemonFailure } from './daemon-failures.ts';
import { reportClosing } from './node-metrics.ts';

export const PAUSE_LOCK_OWNER = 'patchwindow-pause';
const SYSTEM = 'system';

/** Applies `event` and records it; returns the new window, or undefined when it does not apply. */
export async function transition(context: EngineContext, window: MaintenanceWindow, event: WindowEvent, output: TransitionOutput): Promise<MaintenanceWindow | undefined> {
  const result = applyWindowEvent(window, event, context.clock.now());
  if (!result.ok) {
    context.log.warn('window transition refused', { window: window.id, event: event.type, reason: result.reason });
    return undefined;
  }
  await recordWindow(context, result.window, output);
  return result.window;
}

export async function advanceWindows(context: EngineContext): Promise<void> {
  for (const window of await context.repositories.windows.listLive()) {
    try {
      await advanceWindow(context, window);
    } catch (error: unknown) {
      // One window's cluster error must not stop the others; the next tick tries again.
      context.log.error('advancing a window failed; retrying on the next tick', { window: window.id, err: error });
    }
  }
}

async function advanceWindow(context: EngineContext, initial: MaintenanceWindow): Promise<void> {
  let window: MaintenanceWindow | undefined = initial;
  const now = context.clock.now().getTime();
  if (window.state === 'requested' && window.approvalExpiresAt !== undefined && now >= window.approvalExpiresAt.getTime()) {
    const skipped = window.origin.kind === 'schedule' ? ' The scheduled window is skipped.' : '';
    await transition(context, window, { type: 'expire' }, {
      audit: { actor: SYSTEM, action: 'window.expired' },
      replies: [textMessage(`⌛ Nobody approved window #${window.id} in time.${skipped}`)],
    });
    return;
  }
  if (window.state === 'approved') window = await transition(context, window, { type: 'schedule' }, { audit: { actor: SYSTEM, action: 'window.scheduled' } });
  if (window === undefined) return;
  if (window.state === 'scheduled' && now >= window.end.getTime()) {
    await transition(context, window, { type: 'fail', reason: 'the window passed while patchwindow was not running' }, {
      audit: { actor: SYSTEM, action: 'window.missed' },
      replies: [textMessage(`💥 Window #${window.id} passed while patchwindow was not running; nothing was rebooted.`)],
    });
    return;
  }
  if (window.state === 'scheduled' && now >= window.start.getTime()) window = await beginOpening(context, window);
  if (window?.state === 'opening' && now >= window.end.getTime()) {
    // kured never got deployed (it kept failing) and the window is over: close it, removing whatever half-deployed.
    window = await transition(context, window, { type: 'begin-closing', reason: 'ended' }, {
      audit: { actor: SYSTEM, action: 'window.closing', details: { reason: 'ended' } },
      replies: [textMessage(`🧹 Window #${window.id} has reached its end before kured could be deployed; removing whatever was deployed.`)],
    });
  }
  if (window?.state === 'opening') window = await finishOpening(context, window);
  if (window?.state === 'open' && now >= window.end.getTime()) {
    window = await transition(context, window, { type: 'begin-closing', reason: 'ended' }, {
      audit: { actor: SYSTEM, action: 'window.closing', details: { reason: 'ended' } },
      replies: [textMessage(`🧹 Window #${window.id} has reached its end; removing kured.`)],
    });
  }
  if (window?.state === 'closing') await finishClosing(context, window);
}

async function beginOpening(context: EngineContext, window: MaintenanceWindow): Promise<MaintenanceWindow | undefined> {
  const nodes = await context.cluster.nodes();
  context.memory.nodes = nodes;
  const history = await context.repositories.nodeProgress.recentDurations(50);
  const plan = planWindow({
    nodes,
    selects: selectorFor(window),
    concurrency: window.concurrency,
    from: context.clock.now(),
    end: window.end,
    history,
    defaultPerNodeMs: context.settings.defaultPerNodeMs,
  });
  context.memory.plans.set(window.id, plan);
  const result = applyWindowEvent(window, { type: 'begin-opening' }, context.clock.now());
  if (!result.ok) return undefined;
  const opening = result.window;
  await context.transactions.run(async (repositories) => {
    for (const name of plan.nodes) {
      const node = nodes.find((candidate) => candidate.name === name);
      if (node !== undefined) await repositories.nodeProgress.save(window.id, initialProgress(node));
    }
  });
  await recordWindow(context, opening, {
    audit: { actor: SYSTEM, action: 'window.opening', details: { nodes: [...plan.nodes], estimateMs: plan.estimateMs, fits: plan.fits } },
    replies: [textMessage(planText(plan, window))],
  });
  return opening;
}

/** Deploys kured; a failure goes to the thread (daemon-failures.ts) and the window stays opening, retried later. */
async function finishOpening(context: EngineContext, window: MaintenanceWindow): Promise<MaintenanceWindow | undefined> {
  if (!daemonStepDue(context, window.id, 'deploy')) return undefined;
  try {
    await context.cluster.deployRebootDaemon({
      windowId: window.id,
      start: window.start,
      end: window.end,
      zone: window.zone,
      concurrency: window.concurrency,
      nodeSelector: window.nodeSelector,
    });
  } catch (error: unknown) {
    await reportDaemonFailure(context, window, 'deploy', error);
    return undefined;
  }
  daemonStepSucceeded(context, window.id);
  return transition(context, window, { type: 'daemon-deployed' }, {
    audit: { actor: SYSTEM, action: 'window.opened' },
    replies: [textMessage(`🚀 kured deployed for window #${window.id} (concurrency ${window.concurrency}).`)],
  });
}

/** Removes kured; a failure goes to the thread (daemon-failures.ts) and the window stays closing, retried later. */
async function finishClosing(context: EngineContext, window: MaintenanceWindow): Promise<void> {
  if (!daemonStepDue(context, window.id, 'remove')) return;
  try {
    await context.cluster.removeRebootDaemon();
  } catch (error: unknown) {
    await reportDaemonFailure(context, window, 'remove', error);
    return;
  }
  daemonStepSucceeded(context, window.id);
  const progress = (await context.repositories.nodeProgress.list(window.id)).map(closeProgress);
  await context.transactions.run(async (repositories) => {
    for (const node of progress) await repositories.nodeProgress.save(window.id, node);
  });
  const closed = await transition(context, window, { type: 'daemon-removed' }, {
    audit: { actor: SYSTEM, action: 'window.closed', details: { done: progress.filter((node) => node.state === 'done').length, nodes: progress.length } },
    replies: [textMessage(summaryText(window, progress))],
  });
  // Once the window is closed for good: a retried close must not count its nodes twice.
  if (closed !== undefined) reportClosing(context.metrics, progress);
  context.memory.plans.delete(window.id);
}

/** Closes an open window early when every node in it is done and none of its nodes waits any more. */
export async function closeIfComplete(context: EngineContext, window: MaintenanceWindow, progress: readonly NodeProgress[]): Promise<void> {
  if (window.state !== 'open') return;
  const selects = selectorFor(window);
  const stillPending = context.memory.nodes.some((node) => node.pendingReboot !== undefined && selects(node));
  if (progress.some((node) => node.state !== 'done') || stillPending) return;
  const closing = await transition(context, window, { type: 'begin-closing', reason: 'completed' }, {
    audit: { actor: SYSTEM, action: 'window.closing', details: { reason: 'completed' } },
    replies: [textMessage(`🧹 Every node in window #${window.id} is done; removing kured.`)],
  });
  if (closing !== undefined) await finishClosing(context, closing);
}

export function selectorFor(window: MaintenanceWindow): (node: NodeSnapshot) => boolean {
  if (window.nodeSelector === undefined) return () => true;
  const parsed = parseLabelSelector(window.nodeSelector);
  // A stored selector was valid when stored; if this version cannot read it, select nothing rather than everything.
  return parsed.ok ? (node) => matchesLabels(parsed.selector, node.labels) : () => false;
}

function planText(plan: WindowPlan, window: MaintenanceWindow): string {
  if (plan.nodes.length === 0) return `🚀 Opening window #${window.id}: no node needs a reboot right now.`;
  const estimate = `about ${formatElapsed(plan.estimateMs)} (${formatElapsed(plan.perNodeMs)} per node, ${plan.basis})`;
  const fit = plan.fits
    ? `fits in the ${formatElapsed(plan.availableMs)} left`
    : `⚠️ does not fit in the ${formatElapsed(plan.availableMs)} left: some nodes will be left for the next window`;
  return `🚀 Opening window #${window.id}: ${plan.nodes.length} node(s) to reboot (${plan.nodes.join(', ')}); ${estimate}; ${fit}.`;
}

/** States in which kured has cordoned the node and not yet uncordoned it; without kured nobody will. */
const LEFT_CORDONED: ReadonlySet<NodeState> = new Set(['cordoned', 'draining', 'drain-blocked', 'rebooting', 'back', 'stuck']);

function summaryText(window: MaintenanceWindow, progress: readonly NodeProgress[]): string {
  const lines = [`🏁 Window #${window.id} closed (${window.closeReason ?? 'ended'}). kured removed.`];
  for (const node of progress) {
    const took = durationMs(node);
    if (node.state === 'done') lines.push(`✅ ${node.node}: rebooted in ${took === undefined ? '?' : formatElapsed(took)}`);
    else if (node.state === 'skipped') lines.push(`⏭️ ${node.node}: left over, the window ended before its turn`);
    else lines.push(`⚠️ ${node.node}: left ${node.state}${node.blockedBy === undefined ? '' : ` (${node.blockedBy})`}; ${LEFT_CORDONED.has(node.state) ? `it stays cordoned (kured is gone before it could uncordon it): check it, then \`kubectl uncordon ${node.node}\`` : 'check it'}`);
  }
  if (progress.length === 0) lines.push('No node needed a reboot.');
  return lines.join('\n');
}
