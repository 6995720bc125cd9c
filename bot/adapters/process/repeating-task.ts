// Runs an async task every `intervalMs`, never two at once, and on demand (nudge) sooner.
// Errors are logged and the task goes on: one failed tick must not stop the bot.
import type { Logger } from '../logging/create-logger.ts';

export class RepeatingTask {
  readonly #name: string;
  readonly #task: () => Promise<number | undefined>;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  /** `task` may return a delay in ms after which it wants to run again, sooner than the interval. */
  constructor(name: string, intervalMs: number, task: () => Promise<number | undefined>, logger: Logger) {
    this.#name = name;
    this.#intervalMs = intervalMs;
    this.#task = task;
    this.#logger = logger;
  }

  start(): void {
    this.#stopped = false;
    this.nudge();
  }

  /** Run as soon as possible (after the current run, if one is going). */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#run();
    }, delayMs);
    this.#timer.unref();
  }

  #run(): void {
    this.#running = this.#task()
      .then(
        (wanted) => (typeof wanted === 'number' ? Math.max(10, Math.min(wanted, this.#intervalMs)) : this.#intervalMs),
        (error: unknown) => {
          this.#logger.error({ err: error, task: this.#name }, 'background task failed; it runs again at its next interval');
          return this.#intervalMs;
        },
      )
      .then((delay) => {
        this.#running = undefined;
        if (this.#stopped) return;
        const again = this.#again;
        this.#again = false;
        this.#schedule(again ? 0 : delay);
      });
  }
}
