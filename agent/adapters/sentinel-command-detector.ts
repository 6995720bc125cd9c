// Command mode: a reboot is pending when the sentinel command (e.g. `needs-restarting -r`) exits
// with the configured code.
import { commandVerdict, showCommand } from '../core/command-verdict.ts';
import type { Observation } from '../core/detection.ts';
import { DetectionError } from '../ports/detector.ts';
import type { Detector } from '../ports/detector.ts';
import { hostCommandLine, runCommand } from './run-command.ts';

export interface SentinelCommandOptions {
  readonly command: readonly string[];
  readonly rebootExitCode: number;
  readonly nsenter: boolean;
  readonly timeoutMs: number;
  /** Aborted on shutdown: a running command is killed. */
  readonly signal?: AbortSignal;
}

export class SentinelCommandDetector implements Detector {
  readonly description: string;
  readonly #options: SentinelCommandOptions;
  readonly #argv: readonly string[];
  readonly #shown: string;

  constructor(options: SentinelCommandOptions) {
    this.#options = options;
    this.#argv = hostCommandLine(options.command, options.nsenter);
    this.#shown = showCommand(options.command);
    this.description = `sentinel command ${showCommand(this.#argv)} (exit ${options.rebootExitCode}: reboot needed)`;
  }

  async scan(): Promise<Observation> {
    const ending = await runCommand(this.#argv, this.#options.timeoutMs, this.#options.signal);
    const verdict = commandVerdict(ending, this.#options.rebootExitCode, this.#shown);
    if (!verdict.ok) throw new DetectionError(verdict.kind, verdict.message);
    return verdict.observation;
  }
}
