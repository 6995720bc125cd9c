// Runs the real CLI to completion (or keeps it running) and kills whatever is still running in
// afterEach, so a failing test never leaves a child process behind.
import { once } from 'node:events';
import { startCli } from './cli-process.ts';
import type { CliOptions, CliProcess } from './cli-process.ts';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRuns {
  /** Starts the CLI and leaves it running (for `bot`). */
  start(args: readonly string[], options: CliOptions): CliProcess;
  /** Runs the CLI and resolves once it has exited. */
  run(args: readonly string[], options: CliOptions): Promise<CliResult>;
  /** SIGKILLs every process still running and waits for each to exit. */
  killAll(): Promise<void>;
}

export function cliRuns(): CliRuns {
  const started: CliProcess[] = [];
  const start: CliRuns['start'] = (args, options) => {
    const process = startCli(args, options);
    started.push(process);
    return process;
  };
  return {
    start,
    async run(args, options) {
      const process = start(args, options);
      // 'close' comes after 'exit' once stdout and stderr are drained, so nothing written is missed.
      await once(process.child, 'close');
      const { code, signal } = await process.exited;
      return { code, signal, stdout: process.stdout(), stderr: process.stderr() };
    },
    async killAll() {
      await Promise.all(started.splice(0).map((process) => process.kill()));
    },
  };
}
