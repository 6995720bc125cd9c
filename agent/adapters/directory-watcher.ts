// Tells the agent within milliseconds when something it cares about changes in a directory.
// fs.watch goes quiet when its directory is removed or replaced, and can fail outright (inotify
// limits), so the watcher checks the directory's identity now and then and re-arms, backing off
// while the directory is missing or watching keeps failing.
import { watch as fsWatch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { backoffDelayMs } from '../core/timing.ts';
import type { BackoffPolicy, Random } from '../core/timing.ts';
import type { Timers } from '../ports/timers.ts';

export interface WatchHandle {
  close(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type WatchFunction = (directory: string, listener: (event: string, filename: string | null) => void) => WatchHandle;

export interface DirectoryWatcherOptions {
  readonly directory: string;
  /** Entries whose events matter; events for other names in a busy /var/run are ignored. */
  readonly names: readonly string[];
  /** Something may have changed: scan again. */
  readonly onChange: (why: string) => void;
  /** Watching is degraded (the periodic rescan still works); for the log. */
  readonly onProblem: (message: string, error?: unknown) => void;
  readonly timers: Timers;
  readonly random: Random;
  /** How often the directory's identity is compared, to notice it was replaced. */
  readonly checkIntervalMs: number;
  readonly backoff: BackoffPolicy;
  readonly watch?: WatchFunction;
  /** `device:inode` of the directory, or undefined when it is missing. */
  readonly identify?: (directory: string) => Promise<string | undefined>;
}

export const WATCH_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 60_000 };
export const DIRECTORY_CHECK_MS = 2000;

const nodeWatch: WatchFunction = (directory, listener) => fsWatch(directory, { persistent: false }, listener);

async function directoryIdentity(directory: string): Promise<string | undefined> {
  try {
    const stats = await stat(directory);
    return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined;
  } catch {
    return undefined;
  }
}

export class DirectoryWatcher {
  readonly #options: DirectoryWatcherOptions;
  readonly #watch: WatchFunction;
  readonly #identify: (directory: string) => Promise<string | undefined>;
  #handle: WatchHandle | undefined;
  #identity: string | undefined;
  #cancelTimer: (() => void) | undefined;
  #failures = 0;
  /** Bumped on every re-arm and on stop, so callbacks of an older watch do nothing. */
  #generation = 0;
  #stopped = true;

  constructor(options: DirectoryWatcherOptions) {
    this.#options = options;
    this.#watch = options.watch ?? nodeWatch;
    this.#identify = options.identify ?? directoryIdentity;
  }

  /** True while an fs.watch is armed on the directory. */
  get watching(): boolean {
    return this.#handle !== undefined;
  }

  start(): void {
    this.#stopped = false;
    void this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }

  #disarm(): void {
    this.#generation += 1;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#handle?.close();
    this.#handle = undefined;
  }

  async #arm(): Promise<void> {
    this.#disarm();
    const generation = this.#generation;
    const { directory, names } = this.#options;
    const identity = await this.#identify(directory);
    if (generation !== this.#generation || this.#stopped) return;
    if (identity === undefined) {
      this.#retryLater(`directory ${directory} does not exist; watching it again later`);
      return;
    }
    try {
      const handle = this.#watch(directory, (event, filename) => {
        if (generation !== this.#generation) return;
        if (filename === null || names.includes(filename)) this.#options.onChange(`${event} ${filename ?? directory}`);
        // Inotify reports the watched directory's own removal under its name, then goes quiet. Re-arm
        // whatever the identity check says: a directory recreated at once may reuse the inode number.
        else if (filename === basename(directory)) {
          this.#options.onProblem(`directory ${directory} was removed; watching it again`);
          void this.#arm();
        }
      });
      handle.on('error', (error) => {
        if (generation !== this.#generation) return;
        this.#retryLater(`watching ${directory} failed; rescanning and watching again later`, error);
      });
      this.#handle = handle;
    } catch (error: unknown) {
      this.#retryLater(`cannot watch ${directory}; rescanning and watching again later`, error);
      return;
    }
    this.#identity = identity;
    this.#failures = 0;
    // Anything that happened while no watch was armed has been missed: look once now.
    this.#options.onChange(`watching ${directory}`);
    this.#scheduleCheck();
  }

  #retryLater(message: string, error?: unknown): void {
    this.#disarm();
    const delayMs = backoffDelayMs(this.#failures, this.#options.backoff, this.#options.random);
    this.#failures += 1;
    this.#options.onProblem(message, error);
    // The sentinel may have gone with the directory: let the agent look.
    this.#options.onChange(message);
    const generation = this.#generation;
    this.#cancelTimer = this.#options.timers.after(delayMs, () => {
      if (generation === this.#generation && !this.#stopped) void this.#arm();
    });
  }

  #scheduleCheck(): void {
    const generation = this.#generation;
    this.#cancelTimer = this.#options.timers.after(this.#options.checkIntervalMs, () => {
      if (generation === this.#generation) this.#checkNow();
    });
  }

  #checkNow(): void {
    const generation = this.#generation;
    void this.#identify(this.#options.directory).then((identity) => {
      if (generation !== this.#generation || this.#stopped) return;
      if (identity === this.#identity) {
        this.#cancelTimer?.();
        this.#scheduleCheck();
        return;
      }
      this.#options.onProblem(`directory ${this.#options.directory} was ${identity === undefined ? 'removed' : 'replaced'}; watching it again`);
      void this.#arm();
    });
  }
}
