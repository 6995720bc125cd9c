// What every part of the engine works with, and the one way it records a window transition:
// the new state, its audit entry and its chat output in one transaction, before side effects.
import type { JsonObject } from '../json.ts';
import type { ChatMessage } from '../ports/chat-port.ts';
import type { Clock } from '../ports/clock.ts';
import type { ClusterPort, NodeSnapshot } from '../ports/cluster-port.ts';
import type { EngineMetrics } from '../ports/metrics-port.ts';
import type { Repositories, Transactions } from '../ports/repositories.ts';
import type { NewWindow } from '../ports/window-repository.ts';
import type { ApproverGroups } from '../windows/approval-policy.ts';
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import type { WindowPlan } from '../windows/window-plan.ts';
import { renderWindowMessage } from '../windows/window-message.ts';
import type { DaemonFailure } from './daemon-failures.ts';
import type { EngineLog } from './engine-log.ts';
import type { EngineSettings } from './engine-settings.ts';
import type { SimulationControl } from './simulation-control.ts';

export interface EngineDependencies {
  readonly repositories: Repositories;
  readonly transactions: Transactions;
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly settings: EngineSettings;
  readonly log: EngineLog;
  readonly simulation: SimulationControl | undefined;
  /** Called after chat output was queued, so delivery can start at once. */
  readonly outboxChanged: () => void;
  /** Node outcomes and durations for Prometheus; nothing is reported without it. */
  readonly metrics?: EngineMetrics | undefined;
  /** Members of the approver groups as last read from the chat platform (a snapshot; no I/O). */
  readonly approverGroups?: (() => ApproverGroups) | undefined;
}

/** Mutable knowledge the engine keeps between calls; everything that matters is also stored. */
export interface EngineMemory {
  nodes: readonly NodeSnapshot[];
  readonly plans: Map<number, WindowPlan>;
  lastReconcileAt: number | undefined;
  /**
   * The last digest: which nodes it named, when it last changed, and the message it is in while
   * that message still grows in place (`growing` undefined: the next change posts a new one).
   */
  lastDigest: { readonly names: string; readonly at: number; readonly growing: { readonly key: string; readonly postedAt: number } | undefined } | undefined;
  /** Per window: the last failure to deploy or remove kured (daemon-failures.ts). */
  readonly daemonFailures: Map<number, DaemonFailure>;
}

export interface EngineContext extends EngineDependencies {
  readonly memory: EngineMemory;
}

export interface TransitionOutput {
  readonly audit?: { readonly actor: string; readonly action: string; readonly details?: JsonObject };
  /** Thread replies under the window's live message. */
  readonly replies?: readonly ChatMessage[];
}

export function liveMessageKey(windowId: number): string {
  return `window:${windowId}`;
}

/**
 * Stores `window` with its audit entry, the updated live message and any replies, atomically;
 * `alsoStore` writes what caused them (e.g. node progress) in the same transaction.
 */
export async function recordWindow(
  context: EngineContext,
  window: MaintenanceWindow,
  output: TransitionOutput,
  alsoStore?: (repositories: Repositories) => Promise<void>,
): Promise<void> {
  await context.transactions.run(async (repositories) => {
    await alsoStore?.(repositories);
    await repositories.windows.save(window);
    await queueWindowOutput(context, repositories, window, output, 'update');
  });
  context.outboxChanged();
}

/** Creates a window, posts its live message and audits it, atomically. */
export async function createWindow(context: EngineContext, window: NewWindow, output: TransitionOutput): Promise<MaintenanceWindow> {
  const created = await context.transactions.run(async (repositories) => {
    const stored = await repositories.windows.create(window);
    await queueWindowOutput(context, repositories, stored, output, 'post');
    return stored;
  });
  context.outboxChanged();
  return created;
}

async function queueWindowOutput(
  context: EngineContext,
  repositories: Repositories,
  window: MaintenanceWindow,
  output: TransitionOutput,
  kind: 'post' | 'update',
): Promise<void> {
  const now = context.clock.now();
  const nodes = await repositories.nodeProgress.list(window.id);
  const message = renderWindowMessage({ window, nodes, plan: context.memory.plans.get(window.id), now, fourEyes: context.settings.approvals.fourEyes });
  const key = liveMessageKey(window.id);
  await repositories.outbox.enqueue({ kind, key, message }, now);
  for (const reply of output.replies ?? []) await repositories.outbox.enqueue({ kind: 'reply', threadKey: key, message: reply }, now);
  if (output.audit !== undefined) {
    await repositories.audit.record({
      at: now,
      actor: output.audit.actor,
      action: output.audit.action,
      subject: `window:${window.id}`,
      details: { state: window.state, ...output.audit.details },
    });
  }
}

export function textMessage(text: string): ChatMessage {
  return { fallbackText: text, blocks: [{ kind: 'text', text }] };
}
