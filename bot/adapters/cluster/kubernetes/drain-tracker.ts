// Which nodes kured is draining, and their drain progress. A node is draining while kured holds
// its lock for it (kured's lock annotation on its DaemonSet), it is cordoned and Ready, and it
// still runs the boot it had when the hold began (after the reboot kured still holds the lock until
// it has uncordoned the node: that is not a drain); while the lock cannot be read, holds seen
// before count as still held. For each draining node a DrainSession follows the pods on it and
// kured's log there; it is closed as soon as the node stops draining.
// kured's --annotate-nodes annotation (weave.works/kured-reboot-in-progress) does not decide this:
// kured 1.23 sets it before it even tries for the lock, so it also marks nodes still waiting.
import type { LabelSelector } from '../../../core/cluster/label-selector.ts';
import type { DrainProgress } from '../../../core/ports/cluster-port.ts';
import { DrainSession } from './drain-session.ts';
import type { DrainSessionSources, KuredPods } from './drain-session.ts';
import type { NodeLike } from './node-snapshot.ts';
import { nodeSnapshot } from './node-snapshot.ts';
import type { DrainSource } from './node-watch.ts';

/** What the tracker reads from kured's DaemonSet. */
export interface KuredDaemonSetView {
  /** Nodes holding kured's lock; undefined until known. Empty when kured is not deployed. */
  holders(): readonly string[] | undefined;
  /** Its --drain-pod-selector, when set: only matching pods are drained. */
  drainPodSelector(): LabelSelector | undefined;
  start(): void;
  stop(): Promise<void>;
}

export interface DrainTrackerSources extends DrainSessionSources {
  /** Watches kured's DaemonSet (lock, arguments); `onChange` whenever they may have changed. Not started yet. */
  watchKured(onChange: () => void, onError: (error: unknown) => void): KuredDaemonSetView;
}

export interface DrainTrackerOptions {
  readonly kured: KuredPods;
  readonly sources: DrainTrackerSources;
  /** Drain progress (or the set of draining nodes) may have changed: observe again. */
  readonly onChange: () => void;
  readonly onError: (error: unknown) => void;
}

export class DrainTracker implements DrainSource {
  readonly #options: DrainTrackerOptions;
  readonly #kured: KuredDaemonSetView;
  readonly #sessions = new Map<string, DrainSession>();
  /** bootID of each lock holder when its hold was first seen. */
  readonly #holdBoots = new Map<string, string>();
  readonly #closing = new Set<Promise<void>>();
  #current: ReadonlyMap<string, DrainProgress> = new Map();
  #started = false;
  #closed = false;

  constructor(options: DrainTrackerOptions) {
    this.#options = options;
    this.#kured = options.sources.watchKured(
      () => {
        this.#changed();
      },
      (error) => {
        this.#report(error);
      },
    );
  }

  /** Starts watching kured's lock (idempotent). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#kured.start();
  }

  /** Nodes being drained right now. */
  get draining(): readonly string[] {
    return [...this.#sessions.keys()].sort();
  }

  observe(nodes: readonly NodeLike[]): ReadonlyMap<string, DrainProgress> {
    if (this.#closed) return this.#current;
    const holders = this.#kured.holders();
    const present = new Set<string>();
    for (const node of nodes) {
      const snapshot = nodeSnapshot(node);
      const { name } = snapshot;
      present.add(name);
      // While the lock cannot be read (its watch is down), a hold seen before is taken to go on:
      // forgetting it would end a drain still going, and take the node back for a drain once the
      // lock reads again after a reboot it missed (its boot of then is not the one the hold began in).
      const holds = holders === undefined ? this.#holdBoots.has(name) : holders.includes(name);
      if (holders !== undefined) {
        if (!holds) this.#holdBoots.delete(name);
        else if (!this.#holdBoots.has(name)) this.#holdBoots.set(name, snapshot.bootId);
      }
      const draining = holds && snapshot.unschedulable && snapshot.ready && this.#holdBoots.get(name) === snapshot.bootId;
      if (draining && !this.#sessions.has(name)) this.#open(name);
      if (!draining) this.#end(name);
    }
    for (const name of [...this.#sessions.keys()]) if (!present.has(name)) this.#end(name);
    for (const name of [...this.#holdBoots.keys()]) if (!present.has(name)) this.#holdBoots.delete(name);
    const progress = new Map<string, DrainProgress>();
    for (const [name, session] of this.#sessions) {
      const drain = session.progress();
      if (drain !== undefined) progress.set(name, drain);
    }
    this.#current = progress;
    return progress;
  }

  current(): ReadonlyMap<string, DrainProgress> {
    return this.#current;
  }

  /** Ends every session and the lock watch. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const name of [...this.#sessions.keys()]) this.#end(name);
    this.#current = new Map();
    const kured = this.#kured.stop();
    await Promise.all([...this.#closing, kured]);
  }

  #open(name: string): void {
    this.#sessions.set(
      name,
      new DrainSession({
        node: name,
        kured: this.#options.kured,
        sources: this.#options.sources,
        drainPodSelector: () => this.#kured.drainPodSelector(),
        onChange: () => {
          this.#changed();
        },
        onError: (error) => {
          this.#report(error);
        },
      }),
    );
  }

  #end(name: string): void {
    const session = this.#sessions.get(name);
    if (session === undefined) return;
    this.#sessions.delete(name);
    const closing = session.close().catch((error: unknown) => {
      this.#options.onError(error);
    });
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }

  #changed(): void {
    if (!this.#closed) this.#options.onChange();
  }

  #report(error: unknown): void {
    if (!this.#closed) this.#options.onError(error);
  }
}
