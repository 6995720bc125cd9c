// Nodes through a client-node informer (list + watch), kept going by RestartingInformer (relist on
// 410 Gone, restart with a backoff after any other error). Listeners hear of the full node list
// whenever what the core sees of a node changed (heartbeats alone do not count), drain progress
// included: a drain source adds it to the nodes it drains, and asks for a refresh when it changes.
import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import type { DrainProgress, NodeSnapshot } from '../../../core/ports/cluster-port.ts';
import type { NodeLike } from './node-snapshot.ts';
import { sortedSnapshots } from './node-snapshot.ts';
import { RestartingInformer } from './restarting-informer.ts';

type NodesListener = (nodes: readonly NodeSnapshot[]) => void;

/** Where drain progress comes from (the DrainTracker). */
export interface DrainSource {
  /** Drain progress of the nodes being drained, given the current nodes (it may start or stop following some). */
  observe(nodes: readonly NodeLike[]): ReadonlyMap<string, DrainProgress>;
  /** The progress last observed, without starting or stopping anything. */
  current(): ReadonlyMap<string, DrainProgress>;
}

export interface NodeWatchOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told of every watch failure (before the restart). */
  readonly onError?: ((error: unknown) => void) | undefined;
  readonly drain?: DrainSource | undefined;
}

const NO_DRAIN: ReadonlyMap<string, DrainProgress> = new Map();

export class NodeWatch {
  readonly #core: CoreV1Api;
  readonly #informer: RestartingInformer<V1Node>;
  readonly #listeners = new Set<NodesListener>();
  readonly #onError: (error: unknown) => void;
  readonly #drain: DrainSource | undefined;
  #notifyQueued = false;
  #lastSent: string | undefined;

  constructor(kubeConfig: KubeConfig, options: NodeWatchOptions = {}) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#onError = options.onError ?? (() => undefined);
    this.#drain = options.drain;
    this.#informer = new RestartingInformer(
      makeInformer<V1Node>(kubeConfig, '/api/v1/nodes', () => this.#core.listNode()),
      {
        onChange: () => {
          this.refresh();
        },
        onError: this.#onError,
        initialBackoffMs: options.initialBackoffMs,
        maxBackoffMs: options.maxBackoffMs,
      },
    );
  }

  /** Whether the cache holds a complete list (the informer listed since it last failed). */
  get synced(): boolean {
    return this.#informer.synced;
  }

  /** From the informer's cache once synced, else straight from the API server. */
  async nodes(): Promise<NodeSnapshot[]> {
    const drain = this.#drain?.current() ?? NO_DRAIN;
    if (this.#informer.synced) return sortedSnapshots(this.#informer.list(), drain);
    const list = await this.#core.listNode();
    return sortedSnapshots(list.items, drain);
  }

  subscribe(listener: NodesListener): () => void {
    const subscription: NodesListener = (nodes) => {
      listener(nodes);
    };
    this.#listeners.add(subscription);
    this.#informer.start();
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  /** Tell listeners again if anything they see changed (a drain source calls this). */
  refresh(): void {
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    // A relist reports every node one by one: tell listeners once, with all of them.
    setImmediate(() => {
      this.#notifyQueued = false;
      this.#notify();
    });
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  #notify(): void {
    if (!this.#informer.running || !this.#informer.synced) return;
    const list = this.#informer.list();
    const drain = this.#drain?.observe(list) ?? NO_DRAIN;
    const nodes = Object.freeze(sortedSnapshots(list, drain));
    const text = JSON.stringify(nodes);
    if (text === this.#lastSent) return;
    this.#lastSent = text;
    for (const listener of [...this.#listeners]) {
      try {
        listener(nodes);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
