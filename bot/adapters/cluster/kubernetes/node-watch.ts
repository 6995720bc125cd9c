// Nodes through a client-node informer (list + watch). client-node relists by itself on 410 Gone
// and reconnects a watch the server closed; any other error stops its informer, so this restarts
// it with a backoff (1 s doubling to 30 s, reset once a list succeeds). Listeners hear of the full
// node list whenever what the core sees of a node changed (heartbeats alone do not count).
import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, ObjectCache, V1Node } from '@kubernetes/client-node';
import type { NodeSnapshot } from '../../../core/ports/cluster-port.ts';
import { sortedSnapshots } from './node-snapshot.ts';

type NodesListener = (nodes: readonly NodeSnapshot[]) => void;

export interface NodeWatchOptions {
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Told of every watch failure (before the restart). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

export class NodeWatch {
  readonly #core: CoreV1Api;
  readonly #informer: Informer<V1Node> & ObjectCache<V1Node>;
  readonly #listeners = new Set<NodesListener>();
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #onError: (error: unknown) => void;
  #backoffMs: number;
  #running = false;
  #synced = false;
  #failedSinceStart = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #notifyQueued = false;
  #lastSent: string | undefined;

  constructor(kubeConfig: KubeConfig, options: NodeWatchOptions = {}) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#informer = makeInformer<V1Node>(kubeConfig, '/api/v1/nodes', () => this.#core.listNode());
    this.#initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#backoffMs = this.#initialBackoffMs;
    this.#onError = options.onError ?? (() => undefined);
    const changed = (): void => {
      this.#queueNotify();
    };
    this.#informer.on('add', changed);
    this.#informer.on('update', changed);
    this.#informer.on('delete', changed);
    this.#informer.on('error', (error: unknown) => {
      this.#failed(error);
    });
  }

  /** Whether the cache holds a complete list (the informer listed since it last failed). */
  get synced(): boolean {
    return this.#synced;
  }

  /** From the informer's cache once synced, else straight from the API server. */
  async nodes(): Promise<NodeSnapshot[]> {
    if (this.#synced) return sortedSnapshots(this.#informer.list());
    const list = await this.#core.listNode();
    return sortedSnapshots(list.items);
  }

  subscribe(listener: NodesListener): () => void {
    const subscription: NodesListener = (nodes) => {
      listener(nodes);
    };
    this.#listeners.add(subscription);
    this.#start();
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#synced = false;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    await this.#informer.stop();
  }

  #start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#run();
  }

  #run(): void {
    this.#failedSinceStart = false;
    this.#informer.start().then(
      () => {
        if (!this.#running || this.#failedSinceStart) return;
        this.#synced = true;
        this.#backoffMs = this.#initialBackoffMs;
        this.#queueNotify();
      },
      (error: unknown) => {
        this.#failed(error);
      },
    );
  }

  #failed(error: unknown): void {
    this.#failedSinceStart = true;
    this.#synced = false;
    this.#onError(error);
    if (!this.#running || this.#restartTimer !== undefined) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#running) this.#run();
    }, delay);
    this.#restartTimer.unref();
  }

  #queueNotify(): void {
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    // A relist reports every node one by one: tell listeners once, with all of them.
    setImmediate(() => {
      this.#notifyQueued = false;
      this.#notify();
    });
  }

  #notify(): void {
    if (!this.#running) return;
    const nodes = Object.freeze(sortedSnapshots(this.#informer.list()));
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
