// Runs leader election on a Lease: every retry period read the Lease, let the core decide, write
// what it says. A leader whose renewals keep failing gives up at the renew deadline, measured
// from the start of its last successful write, even if a request hangs; one that finds another
// holder gives up at once. Giving up is final: the caller stops acting (the bot exits, so
// Kubernetes restarts it as a standby). Time and waiting are injected, so tests step them.
import {
  afterWrite,
  decide,
  INITIAL_MEMORY,
  releasedRecord,
  renewDeadlineAt,
  renewDeadlinePassed,
  timingsProblem,
} from '../../core/leadership/lease-election.ts';
import type { ElectionMemory, ElectionTimings } from '../../core/leadership/lease-election.ts';
import type { LeaseStore } from './lease-store.ts';

export interface ElectorStatus {
  readonly leading: boolean;
  /** Who holds the Lease as last seen; undefined before the first read or when nobody does. */
  readonly holder: string | undefined;
}

export interface LeaseElectorOptions {
  readonly store: LeaseStore;
  readonly identity: string;
  readonly timings: ElectionTimings;
  /** Milliseconds on a monotonic-enough local clock; only differences are used. */
  readonly now: () => number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Leading or standing by, with the holder seen; called when either changes. */
  readonly onStatus: (status: ElectorStatus) => void;
  /** Leadership is gone for good; called once, after which the elector does nothing more. */
  readonly onLost: (reason: string) => void;
  /** An attempt failed (API error, timeout, or a LeaseConflict: another candidate wrote first). */
  readonly onAttemptFailed: (error: unknown) => void;
}

/** How long a release may take before shutdown goes on without it (the Lease then simply expires). */
const RELEASE_TIMEOUT_MS = 5000;

export class ElectionTimeout extends Error {
  override readonly name = 'ElectionTimeout';
}

export class LeaseElector {
  readonly #options: LeaseElectorOptions;
  readonly #stopping = new AbortController();
  readonly #leading = Promise.withResolvers<undefined>();
  #memory: ElectionMemory = INITIAL_MEMORY;
  #resourceVersion: string | undefined;
  #status: ElectorStatus = { leading: false, holder: undefined };
  #lost = false;
  #loop: Promise<void> | undefined;
  /** Bumped when an attempt is abandoned (timed out or stopped): its late results are ignored. */
  #generation = 0;

  constructor(options: LeaseElectorOptions) {
    const problem = timingsProblem(options.timings);
    if (problem !== undefined) throw new Error(`leader election timings: ${problem}`);
    this.#options = options;
    // Nobody may be left waiting on a leadership that will not come.
    this.#leading.promise.catch(() => undefined);
  }

  get identity(): string {
    return this.#options.identity;
  }

  status(): ElectorStatus {
    return this.#status;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Resolves once this candidate leads; rejects if the elector stops first. */
  async whenLeading(): Promise<void> {
    await this.#leading.promise;
  }

  /** Stops trying without writing anything (a standby that shuts down holds nothing). */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#leading.reject(new Error('leader election stopped'));
    await this.#loop;
  }

  /**
   * Stops renewing and, if still leading, hands the Lease back (client-go's ReleaseOnCancel), so
   * a standby takes over at its next attempt. Call it only once this process has stopped acting.
   * Resolves true when a held Lease was released, false when there was nothing to release.
   */
  async release(): Promise<boolean> {
    await this.stop();
    const { observed } = this.#memory;
    if (!this.#status.leading || this.#lost || observed === undefined || this.#resourceVersion === undefined) return false;
    const write = this.#options.store.replace(releasedRecord(observed, this.#options.now()), this.#resourceVersion);
    const timer = new AbortController();
    const timeout = this.#options.sleep(RELEASE_TIMEOUT_MS, timer.signal).then(() => {
      if (timer.signal.aborted) return;
      throw new ElectionTimeout(`releasing Lease ${this.#options.store.description} took longer than ${RELEASE_TIMEOUT_MS} ms`);
    });
    try {
      await Promise.race([write, timeout]);
    } finally {
      timer.abort();
    }
    this.#setStatus({ leading: false, holder: undefined });
    return true;
  }

  async #run(): Promise<void> {
    const { sleep, timings } = this.#options;
    while (!this.#over()) {
      await this.#attemptWithDeadline();
      if (this.#over()) break;
      await sleep(timings.retryPeriodMs, this.#stopping.signal);
    }
  }

  /**
   * One attempt, abandoned when it takes too long: for a leader, past its renew deadline; for a
   * standby, after a renew deadline too, so a hung request cannot stall it for ever.
   */
  async #attemptWithDeadline(): Promise<void> {
    const { now, sleep, timings } = this.#options;
    const startedAt = now();
    const deadline = renewDeadlineAt(this.#memory, timings) ?? startedAt + timings.renewDeadlineMs;
    const generation = this.#generation;
    const timer = new AbortController();
    const signal = AbortSignal.any([timer.signal, this.#stopping.signal]);
    const timedOut = sleep(Math.max(0, deadline - startedAt), signal).then(() => {
      // Aborted: the attempt finished first, or the elector is stopping; neither is a timeout.
      if (signal.aborted) return;
      throw new ElectionTimeout(`no answer about Lease ${this.#options.store.description} within ${Math.max(0, deadline - startedAt)} ms`);
    });
    try {
      await Promise.race([this.#attempt(startedAt, generation), timedOut]);
    } catch (error: unknown) {
      if (!this.#stopping.signal.aborted) this.#options.onAttemptFailed(error);
    } finally {
      timer.abort();
      this.#generation += 1;
    }
    if (!this.#lost && !this.#stopping.signal.aborted && renewDeadlinePassed(this.#memory, now(), timings)) {
      this.#lose(`the Lease could not be renewed for ${timings.renewDeadlineMs / 1000} s (renew deadline)`, undefined);
    }
  }

  async #attempt(startedAt: number, generation: number): Promise<void> {
    const { store, identity, now, timings } = this.#options;
    const current = await store.read();
    if (this.#abandoned(generation)) return;
    const wasLeading = this.#memory.leading;
    const { decision, memory } = decide({ lease: current?.record, memory: this.#memory, identity, nowMs: now(), timings });
    this.#memory = memory;
    switch (decision.kind) {
      case 'lost':
        this.#lose(decision.holder === undefined ? 'the Lease was deleted or cleared by someone else' : `the Lease is now held by ${decision.holder}`, decision.holder);
        return;
      case 'standBy':
        this.#setStatus({ leading: false, holder: decision.holder });
        return;
      case 'create':
      case 'acquire':
      case 'renew': {
        const written =
          decision.kind === 'create' || current === undefined
            ? await store.create(decision.record)
            : await store.replace(decision.record, current.resourceVersion);
        if (this.#abandoned(generation)) return;
        this.#memory = afterWrite(written.record, startedAt, now());
        this.#resourceVersion = written.resourceVersion;
        this.#setStatus({ leading: true, holder: identity });
        if (!wasLeading) this.#leading.resolve(undefined);
        return;
      }
    }
  }

  /** Stopping, or leadership lost: no more attempts. */
  #over(): boolean {
    return this.#stopping.signal.aborted || this.#lost;
  }

  /** The attempt was given up (timed out or stopped), or leadership is lost: its results do not count. */
  #abandoned(generation: number): boolean {
    return generation !== this.#generation || this.#over();
  }

  #lose(reason: string, holder: string | undefined): void {
    this.#lost = true;
    this.#memory = { ...this.#memory, leading: false };
    this.#setStatus({ leading: false, holder });
    this.#leading.reject(new Error(`leadership lost: ${reason}`));
    this.#options.onLost(reason);
  }

  #setStatus(status: ElectorStatus): void {
    if (status.leading === this.#status.leading && status.holder === this.#status.holder) return;
    this.#status = status;
    this.#options.onStatus(status);
  }
}
