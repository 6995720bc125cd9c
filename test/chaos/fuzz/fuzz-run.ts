// Running one fuzz target: a fast-check property over a fixed seed, the number of cases it ran
// kept in the test's meta (the fuzz summary reporter adds them up), and a failure when the
// property fails (fast-check's report names the seed, the path and the counterexample) or when
// anything rejected without a handler while it ran.
import fc from 'fast-check';
import type { TestContext } from 'vitest';
import { FUZZ_BUDGET } from './fuzz-budget.ts';
import type { FuzzTargetName } from './fuzz-budget.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** How many generated cases a fuzz target ran, and its name (for the summary line). */
    fuzz?: { readonly target: string; readonly cases: number; readonly seed: number };
  }
}

/** Fixed, so a CI failure reproduces; override with FUZZ_SEED=<n> to explore other inputs. */
export const FUZZ_SEED = process.env['FUZZ_SEED'] === undefined ? 20_261_125 : Number(process.env['FUZZ_SEED']);

/** FUZZ_SCALE=0.1 runs a tenth of the cases, for a quick look while working on a target. */
const FUZZ_SCALE = process.env['FUZZ_SCALE'] === undefined ? 1 : Number(process.env['FUZZ_SCALE']);

export interface FuzzTarget<T> {
  readonly context: TestContext;
  /** Its share of the budget, and its name in the summary. */
  readonly target: FuzzTargetName;
  readonly arbitrary: fc.Arbitrary<T>;
}

function runsOf(target: FuzzTargetName): number {
  return Math.max(1, Math.round(FUZZ_BUDGET[target] * FUZZ_SCALE));
}

/** Runs a synchronous property `runs` times. */
export async function fuzzSync<T>(target: FuzzTarget<T>, check: (value: T) => void): Promise<void> {
  await watched(target, () => Promise.resolve(fc.check(fc.property(target.arbitrary, check), options(target))));
}

/** Runs an asynchronous property `runs` times, one case after the other. */
export async function fuzzAsync<T>(target: FuzzTarget<T>, check: (value: T) => Promise<void>): Promise<void> {
  await watched(target, () => fc.check(fc.asyncProperty(target.arbitrary, check), options(target)));
}

function options<T>(target: FuzzTarget<T>): fc.Parameters<[T]> {
  return { seed: FUZZ_SEED, numRuns: runsOf(target.target) };
}

async function watched<T>(target: FuzzTarget<T>, run: () => Promise<fc.RunDetails<[T]>>): Promise<void> {
  const unhandled: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  let details: fc.RunDetails<[T]>;
  try {
    details = await run();
    // A rejection nobody handles is reported after the microtasks of the turn it happened in.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  target.context.task.meta.fuzz = { target: target.target, cases: details.numRuns, seed: FUZZ_SEED };
  if (details.failed) throw new Error(`${target.target}: ${fc.defaultReportMessage(details) ?? 'property failed'}`, { cause: details.errorInstance });
  if (unhandled.length > 0) {
    throw new Error(`${target.target}: ${unhandled.length} unhandled rejection(s), the first: ${String(unhandled[0])}`, { cause: unhandled[0] });
  }
  if (details.numRuns !== runsOf(target.target)) throw new Error(`${target.target}: ran ${details.numRuns} cases, expected ${runsOf(target.target)}`);
}

/**
 * Characters that break a line in Slack, Teams and the console (HTML: CR and LF; Unicode's line and
 * paragraph separators). NEL (U+0085) is not among them: browsers draw it as an invisible control.
 */
const LINE_BREAK = /[\r\n\u2028\u2029\v\f]/;
/** An error fits one Slack section (3,000 characters) and one Teams text block with room to spare. */
export const MAX_ERROR_LENGTH = 3000;

/** Why `text` is not a clear one-line error, or undefined when it is one. */
export function unclearError(text: string): string | undefined {
  if (text.trim() === '') return 'the error is empty';
  if (LINE_BREAK.test(text)) return `the error spans several lines: ${JSON.stringify(text.slice(0, 200))}`;
  if (text.length > MAX_ERROR_LENGTH) return `the error is ${text.length} characters long: ${JSON.stringify(text.slice(0, 200))}…`;
  return undefined;
}
