// Following the drain of one node while kured drains it: the pods still on the node (a watch on
// spec.nodeName) and the log of the kured pod on that node (followed through the API), merged into
// DrainProgress { podsLeft, blockedBy }. A refused eviction blocks until its pod leaves the node;
// a PodDisruptionBudget refusal names the budget (looked up once per pod) when it can be found.
// Closed by the DrainTracker when the node stops draining; everything it opened is closed with it.
import type { LabelSelector } from '../../../core/cluster/label-selector.ts';
import type { DrainProgress } from '../../../core/ports/cluster-port.ts';
import { applyKuredLogEvent, NO_DRAIN_LOG, podKeyOf, podLeft } from './drain-log-state.ts';
import type { DrainLogState } from './drain-log-state.ts';
import { parseKuredLogLine } from './kured-log-line.ts';
import { budgetFor, drainProgressOf, isLeaving, isPodOf, podKey } from './node-pods.ts';
import type { DisruptionBudgetLike, PodLike } from './node-pods.ts';

/** Which pods are kured's: its DaemonSet, and the container whose log to read. */
export interface KuredPods {
  readonly namespace: string;
  readonly daemonSet: string;
  readonly container: string;
}

export interface PodsOnNode {
  /** Whether `pods()` is a complete list. */
  readonly synced: boolean;
  pods(): readonly PodLike[];
  stop(): Promise<void>;
}

export interface LogFollow {
  close(): Promise<void>;
}

/** What a session reads from the cluster (the Kubernetes API in production, fakes in tests). */
export interface DrainSessionSources {
  /** Starts watching the pods bound to `node`; `onChange` after every change and (re)list. */
  watchPods(node: string, onChange: () => void, onError: (error: unknown) => void): PodsOnNode;
  /** Starts following a container's log until closed; `onLine` for each line. */
  followLog(pod: { readonly namespace: string; readonly name: string; readonly container: string }, onLine: (line: string) => void, onError: (error: unknown) => void): LogFollow;
  disruptionBudgets(namespace: string): Promise<readonly DisruptionBudgetLike[]>;
}

export interface DrainSessionOptions {
  readonly node: string;
  readonly kured: KuredPods;
  readonly sources: DrainSessionSources;
  /** kured's --drain-pod-selector as deployed (undefined: every pod is drained). */
  readonly drainPodSelector: () => LabelSelector | undefined;
  /** The progress changed. */
  readonly onChange: () => void;
  readonly onError: (error: unknown) => void;
}

export class DrainSession {
  readonly node: string;
  readonly #options: DrainSessionOptions;
  readonly #pods: PodsOnNode;
  /** Budget (`namespace/name`) of a refused pod by pod key; null when it has none or it could not be read; undefined while looked up. */
  readonly #budgets = new Map<string, string | null | undefined>();
  readonly #closing: Promise<void>[] = [];
  #follower: { readonly uid: string; readonly follow: LogFollow } | undefined;
  #log: DrainLogState = NO_DRAIN_LOG;
  #closed = false;
  #lastProgress: string | undefined;

  constructor(options: DrainSessionOptions) {
    this.node = options.node;
    this.#options = options;
    this.#pods = options.sources.watchPods(
      options.node,
      () => {
        this.#podsChanged();
      },
      (error) => {
        this.#report(error);
      },
    );
  }

  /** undefined until the pods on the node are known. */
  progress(): DrainProgress | undefined {
    if (!this.#pods.synced) return undefined;
    return drainProgressOf(
      this.#pods.pods(),
      this.#log,
      (key) => (this.#budgets.has(key) ? this.#budgets.get(key) : null),
      this.#options.drainPodSelector(),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) {
      await Promise.all(this.#closing);
      return;
    }
    this.#closed = true;
    const follower = this.#follower;
    this.#follower = undefined;
    this.#closing.push(this.#pods.stop());
    if (follower !== undefined) this.#closing.push(follower.follow.close());
    await Promise.all(this.#closing);
  }

  #podsChanged(): void {
    if (this.#closed || !this.#pods.synced) return;
    const kured = this.#pods
      .pods()
      .find((pod) => isPodOf(pod, { namespace: this.#options.kured.namespace, name: this.#options.kured.daemonSet }) && !isLeaving(pod) && pod.status?.phase === 'Running');
    const uid = kured?.metadata?.uid ?? kured?.metadata?.name;
    if (uid !== this.#follower?.uid) this.#follow(kured, uid);
    this.#update();
  }

  /** Follows the log of `kured` (a new pod: its log from the start), or stops following. */
  #follow(kured: PodLike | undefined, uid: string | undefined): void {
    const previous = this.#follower;
    this.#follower = undefined;
    if (previous !== undefined) {
      this.#closing.push(previous.follow.close().catch((error: unknown) => {
        this.#report(error);
      }));
    }
    this.#log = NO_DRAIN_LOG;
    if (kured === undefined || uid === undefined) return;
    const follow = this.#options.sources.followLog(
      { namespace: kured.metadata?.namespace ?? '', name: kured.metadata?.name ?? '', container: this.#options.kured.container },
      (line) => {
        this.#onLine(uid, line);
      },
      (error) => {
        this.#report(error);
      },
    );
    this.#follower = { uid, follow };
  }

  #onLine(uid: string, line: string): void {
    if (this.#closed || this.#follower?.uid !== uid) return;
    const before = this.#log;
    for (const event of parseKuredLogLine(line)) this.#log = applyKuredLogEvent(this.#log, event);
    if (this.#log !== before) this.#update();
  }

  /** Drops refusals whose pod has left, asks for the budgets not known yet, and tells of a changed progress. */
  #update(): void {
    if (this.#closed) return;
    if (this.#pods.synced) {
      const onNode = new Map(this.#pods.pods().map((pod) => [podKey(pod), pod]));
      for (const [key, refusal] of this.#log.refusals) {
        const pod = onNode.get(key);
        if (pod === undefined || isLeaving(pod)) {
          this.#log = podLeft(this.#log, key);
          continue;
        }
        if (refusal.byDisruptionBudget && !this.#budgets.has(key)) this.#lookUpBudget(pod, refusal.pod.namespace);
      }
    }
    const progress = this.progress();
    const text = JSON.stringify(progress ?? null);
    if (text === this.#lastProgress) return;
    this.#lastProgress = text;
    this.#options.onChange();
  }

  #lookUpBudget(pod: PodLike, namespace: string): void {
    const key = podKey(pod);
    this.#budgets.set(key, undefined); // looked up once per pod, even when it fails
    this.#options.sources.disruptionBudgets(namespace).then(
      (budgets) => {
        const budget = budgetFor(pod, budgets);
        this.#budgets.set(key, budget === undefined ? null : podKeyOf({ namespace, name: budget.metadata?.name ?? '' }));
        this.#update();
      },
      (error: unknown) => {
        this.#budgets.set(key, null);
        this.#report(new Error(`listing the PodDisruptionBudgets of namespace ${namespace} (to name the one refusing to evict ${key}) failed; reporting the pod instead`, { cause: error }));
        this.#update();
      },
    );
  }

  #report(error: unknown): void {
    if (!this.#closed) this.#options.onError(error);
  }
}
