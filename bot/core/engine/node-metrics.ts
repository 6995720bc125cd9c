// What a node's progress tells the metrics: its result, how long its drain and its reboot took.
// Pure except for `report*`, which hand the findings to the (optional) EngineMetrics port. Only
// steps the engine saw are measured: when it missed one (it was down), a duration it cannot know
// is left out rather than guessed.
import type { EngineMetrics, RebootResult } from '../ports/metrics-port.ts';
import type { NodeProgress, NodeState } from '../windows/node-progress.ts';

export interface ProgressMeasurement {
  readonly result: RebootResult | undefined;
  readonly drainMs: number | undefined;
  readonly rebootMs: number | undefined;
}

const DOWN: readonly NodeState[] = ['rebooting', 'stuck'];
const UP: readonly NodeState[] = ['back', 'done'];

/** What the step from `previous` to `next`, observed at `now`, measured. */
export function measureStep(previous: NodeProgress, next: NodeProgress, now: Date): ProgressMeasurement {
  // The drain ends when the reboot begins; both ends must have been seen.
  const drainMs =
    previous.rebootAt === undefined && next.rebootAt !== undefined && next.startedAt !== undefined ? next.rebootAt.getTime() - next.startedAt.getTime() : undefined;
  const rebootMs = DOWN.includes(previous.state) && UP.includes(next.state) && next.rebootAt !== undefined ? now.getTime() - next.rebootAt.getTime() : undefined;
  return { result: previous.state !== 'done' && next.state === 'done' ? 'done' : undefined, drainMs, rebootMs };
}

/**
 * The result of a node whose window has closed (after closeProgress): undefined for done, which
 * was counted when it happened; skipped and stuck as they are; any other state means the window
 * ended in the middle of its reboot.
 */
export function closingResult(progress: NodeProgress): RebootResult | undefined {
  switch (progress.state) {
    case 'done':
      return undefined;
    case 'skipped':
    case 'stuck':
      return progress.state;
    default:
      return 'failed';
  }
}

export function reportSteps(metrics: EngineMetrics | undefined, measurements: readonly ProgressMeasurement[]): void {
  if (metrics === undefined) return;
  for (const { result, drainMs, rebootMs } of measurements) {
    if (drainMs !== undefined) metrics.nodeDrained(drainMs);
    if (rebootMs !== undefined) metrics.nodeRebooted(rebootMs);
    if (result !== undefined) metrics.nodeFinished(result);
  }
}

export function reportClosing(metrics: EngineMetrics | undefined, progress: readonly NodeProgress[]): void {
  if (metrics === undefined) return;
  for (const node of progress) {
    const result = closingResult(node);
    if (result !== undefined) metrics.nodeFinished(result);
  }
}
