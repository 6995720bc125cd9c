// Teams limits what a bot sends to one conversation ("per bot per thread": 7 operations a second,
// 8 in 2 seconds, 60 in 30 seconds; posts, replies and updates all count). The pacer runs sends to
// one conversation one at a time and starts each only when it stays within every limit, so a
// rate-limiting Teams never has to answer 429. Failed attempts count too: Teams counts them.

export interface SendLimit {
  readonly count: number;
  readonly perMs: number;
}

export const TEAMS_SEND_LIMITS: readonly SendLimit[] = [
  { count: 7, perMs: 1000 },
  { count: 8, perMs: 2000 },
  { count: 60, perMs: 30_000 },
];

export interface SendPacerOptions {
  readonly limits?: readonly SendLimit[];
  /** Real time (the engine's clock may be simulated). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class SendPacer {
  readonly #limits: readonly SendLimit[];
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #sent = new Map<string, number[]>();
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #horizonMs: number;

  constructor(options: SendPacerOptions = {}) {
    this.#limits = (options.limits ?? TEAMS_SEND_LIMITS).filter((limit) => limit.count > 0 && limit.perMs > 0);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#horizonMs = Math.max(0, ...this.#limits.map((limit) => limit.perMs));
  }

  /** Runs `send` once the conversation `key` may take another operation; sends to one key run in call order. */
  run<T>(key: string, send: () => Promise<T>): Promise<T> {
    const attempt = async (): Promise<T> => {
      await this.#waitForTurn(key);
      return send();
    };
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(attempt, attempt);
    const settled = next.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return next;
  }

  async #waitForTurn(key: string): Promise<void> {
    for (;;) {
      const now = this.#now();
      const sent = (this.#sent.get(key) ?? []).filter((at) => at > now - this.#horizonMs);
      let wait = 0;
      for (const limit of this.#limits) {
        const inWindow = sent.filter((at) => at > now - limit.perMs);
        const oldest = inWindow[inWindow.length - limit.count];
        if (inWindow.length >= limit.count && oldest !== undefined) wait = Math.max(wait, oldest + limit.perMs - now);
      }
      if (wait <= 0) {
        sent.push(now);
        this.#sent.set(key, sent);
        return;
      }
      await this.#sleep(wait);
    }
  }
}
