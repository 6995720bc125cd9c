// kured's detection delay, computed from its configuration rather than measured: kured checks the
// sentinel on a ticker (pkg/delaytick in kured 1.23) whose first tick comes after a random delay
// of 0.5-1.5 periods, then every period. So a sentinel that exists when kured starts (patchwindow
// deploys kured when a window opens) is seen after at most 1.5 periods; one created while kured
// runs, after at most 1 period (on average half of one). kured also tells nobody: it only acts.
import type { Figure, Figures } from './bench-report.ts';

/** patchwindow's kured DaemonSet runs with --period=1m (kured-manifests.ts); kured's own default is 1h. */
export const SEED_PERIOD_MS = 60_000;
export const KURED_DEFAULT_PERIOD_MS = 3_600_000;

export interface KuredDelay {
  /** Sentinel present when kured starts: the first tick, after up to 1.5 periods. */
  readonly worstAfterStartMs: number;
  /** Sentinel created while kured runs: up to one period. */
  readonly worstRunningMs: number;
  /** Sentinel created at a random moment while kured runs: half a period on average. */
  readonly meanRunningMs: number;
}

export function kuredDelay(periodMs: number): KuredDelay {
  if (!(periodMs > 0)) throw new RangeError(`kured period must be positive, got ${periodMs}`);
  return { worstAfterStartMs: 1.5 * periodMs, worstRunningMs: periodMs, meanRunningMs: periodMs / 2 };
}

/** The kured figures, and their ratio to patchwindow's measured detection p95 when there is one. */
export function kuredDetectionFigures(patchwindowP95Ms: number | null): Figures {
  const seed = kuredDelay(SEED_PERIOD_MS);
  const standard = kuredDelay(KURED_DEFAULT_PERIOD_MS);
  const how = 'computed from kured 1.23 pkg/delaytick: first check 0.5-1.5 periods after start, then every period';
  const figures: Figures = {
    kured_detection_worst_ms_period_1m: { value: seed.worstAfterStartMs, unit: 'ms', note: `--period=1m as patchwindow deploys it: 1.5 periods after kured starts (at most ${seed.worstRunningMs} ms once running); ${how}` },
    kured_detection_worst_ms_default: { value: standard.worstAfterStartMs, unit: 'ms', note: `kured's default --period=1h: 1.5 periods after start (at most ${standard.worstRunningMs} ms once running, ${standard.meanRunningMs} ms on average)` },
  };
  const ratio = (kured: number, name: string): Figure =>
    patchwindowP95Ms === null || patchwindowP95Ms <= 0
      ? { value: null, unit: '×', missing: 'no measured detection_p95_ms to compare with' }
      : { value: kured / patchwindowP95Ms, unit: '×', note: `${name} ÷ detection_p95_ms (${Math.round(patchwindowP95Ms)} ms)` };
  figures['kured_detection_ratio_period_1m'] = ratio(seed.worstAfterStartMs, 'kured_detection_worst_ms_period_1m');
  figures['kured_detection_ratio_default'] = ratio(standard.worstAfterStartMs, 'kured_detection_worst_ms_default');
  return figures;
}
