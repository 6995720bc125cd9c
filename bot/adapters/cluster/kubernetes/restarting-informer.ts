// A client-node informer (list + watch) that keeps going: client-node relists by itself on 410 Gone
// and reconnects a watch the server closed, but any other error stops its informer, so this
// restarts it with a backoff (1 s doubling to 30 s, reset once a list succeeds). Every failure is
// reported before the restart. client-node's stop() only aborts the watch already open: a list or
// watch under way goes on to open one, so what opens after stop() is stopped again.
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';

export interface RestartingInformerOptions {
  /** After every add, update or delete, and after each successful (re)list. */
  readonly onChange: () => void;
  readonly onError: (error: unknown) => void;
  readonly initialBackoffMs?: number | undefined;
  readonly maxBackoffMs?: number | undefined;
}

export class RestartingInformer<T extends KubernetesObject> {
  readonly #informer: Informer<T> & ObjectCache<T>;
  readonly #onChange: () => void;
  readonly #onError: (error: unknown) => void;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  #backoffMs: number;
  #running = false;
  #synced = false;
  #failedSinceStart = false;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(informer: Informer<T> & ObjectCache<T>, options: RestartingInformerOptions) {
    this.#informer = informer;
    this.#onChange = options.onChange;
    this.#onError = options.onError;
    this.#initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#backoffMs = this.#initialBackoffMs;
    const changed = (): void => {
      if (this.#running) this.#onChange();
      else this.#stopAgain(); // a watch opened after stop() (see above)
    };
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    informer.on('error', (error: unknown) => {
      this.#failed(error);
    });
  }

  /** Whether the cache holds a complete list (the informer listed since it last failed). */
  get synced(): boolean {
    return this.#synced;
  }

  get running(): boolean {
    return this.#running;
  }

  list(): readonly T[] {
    return this.#informer.list();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#synced = false;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    await this.#informer.stop();
  }

  #run(): void {
    this.#failedSinceStart = false;
    this.#informer.start().then(
      () => {
        if (!this.#running) {
          this.#stopAgain(); // stopped while this start was connecting: close the watch it opened
          return;
        }
        if (this.#failedSinceStart) return;
        this.#synced = true;
        this.#backoffMs = this.#initialBackoffMs;
        this.#onChange();
      },
      (error: unknown) => {
        this.#failed(error);
      },
    );
  }

  #stopAgain(): void {
    void this.#informer.stop().catch(() => undefined);
  }

  #failed(error: unknown): void {
    this.#failedSinceStart = true;
    this.#synced = false;
    if (!this.#running) return;
    this.#onError(error);
    if (this.#restartTimer !== undefined) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#running) this.#run();
    }, delay);
    this.#restartTimer.unref();
  }
}
