// When kured cannot be deployed or removed (helm exits non-zero, the API server refuses), the
// window's thread is told, with an audit row, once per distinct error: "could not deploy kured
// for window #4: helm exited with code 1: …; retrying". The engine keeps trying on later ticks,
// backing off from 5 s to a minute so a broken helm is not started every second. Success forgets
// the failure, so the same error later is told again. Kept in memory: after a restart a still
// failing step is told once more.
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import type { EngineContext } from './engine-context.ts';
import { recordWindow, textMessage } from './engine-context.ts';

export type DaemonStep = 'deploy' | 'remove';

export interface DaemonFailure {
  readonly step: DaemonStep;
  /** The error as told, with volatile numbers masked: what "distinct" compares. */
  readonly key: string;
  readonly failures: number;
  /** Epoch ms before which the step is not tried again. */
  readonly retryAt: number;
}

const FIRST_RETRY_MS = 5000;
const MAX_RETRY_MS = 60_000;
const MAX_REASON_CHARS = 600;

/** Whether `step` may be tried for the window now (no failure, or its backoff has passed). */
export function daemonStepDue(context: EngineContext, windowId: number, step: DaemonStep): boolean {
  const failure = context.memory.daemonFailures.get(windowId);
  return failure?.step !== step || context.clock.now().getTime() >= failure.retryAt;
}

export function daemonStepSucceeded(context: EngineContext, windowId: number): void {
  context.memory.daemonFailures.delete(windowId);
}

/** Logs the failure, schedules the retry, and tells the thread and the audit log when it is new. */
export async function reportDaemonFailure(context: EngineContext, window: MaintenanceWindow, step: DaemonStep, error: unknown): Promise<void> {
  const reason = failureReason(error);
  const key = reason.replace(/\b[0-9a-f]{8,}\b|\d{4,}/gi, '#');
  const previous = context.memory.daemonFailures.get(window.id);
  const failures = previous?.step === step ? previous.failures + 1 : 1;
  const delay = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS);
  context.memory.daemonFailures.set(window.id, { step, key, failures, retryAt: context.clock.now().getTime() + delay });
  const told = previous?.step === step && previous.key === key;
  const doing = step === 'deploy' ? 'deploying' : 'removing';
  const fields = { window: window.id, failures, retryInMs: delay, err: error };
  if (told) {
    context.log.warn(`${doing} kured failed again; retrying`, fields);
    return;
  }
  context.log.error(`${doing} kured failed; retrying`, fields);
  await recordWindow(context, window, {
    audit: { actor: 'system', action: step === 'deploy' ? 'daemon.deploy-failed' : 'daemon.remove-failed', details: { error: reason } },
    replies: [textMessage(`⚠️ Could not ${step} kured for window #${window.id}: ${reason}; retrying`)],
  });
}

/** One line of bounded length: the error's message (for helm: its exit code and stderr). */
function failureReason(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text === '' ? 'unknown error' : text;
}
