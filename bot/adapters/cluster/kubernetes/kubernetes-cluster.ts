// ClusterPort on a real cluster through @kubernetes/client-node 2.x: nodes from an informer, kured
// deployed by the built-in manifests (server-side apply, field manager `patchwindow`, forced) and
// removed completely (DaemonSet first, foreground, waiting until it is gone; then its RBAC and
// ServiceAccount), or by its helm chart (kured-helm.ts: install, uninstall, then confirmed gone),
// and kured's lock annotation read, held for pause/resume and freed of a stuck holder.
// Drain progress (NodeSnapshot.drain) of the nodes kured drains comes from the DrainTracker: the
// pods left on the node and kured's pod log there (drain-tracker.ts).
import { ApiException, AppsV1Api, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1DaemonSet } from '@kubernetes/client-node';
import type {
  ClusterPort,
  NodeSnapshot,
  RebootDaemonSpec,
  RebootDaemonStatus,
  RebootLock,
} from '../../../core/ports/cluster-port.ts';
import {
  holdLock,
  KURED_LOCK_ANNOTATION,
  lockHolders,
  lockHoldings,
  lockMaxOwners,
  parseLockAnnotation,
  releaseHolder,
  releaseLock,
  formatLockAnnotation,
} from './kured-lock-annotation.ts';
import type { KuredLockValue } from './kured-lock-annotation.ts';
import {
  DEFAULT_KURED_MANIFEST_OPTIONS,
  FIELD_MANAGER,
  KURED_NAME,
  kuredManifests,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  WINDOW_LABEL,
} from './kured-manifests.ts';
import type { KuredManifestOptions } from './kured-manifests.ts';
import type { KuredHelm } from './kured-helm.ts';
import { objectRef, readObject, removeKuredResources } from './kured-removal.ts';
import { kubernetesDrainSources } from './drain-sources.ts';
import { DrainTracker } from './drain-tracker.ts';
import { NodeWatch } from './node-watch.ts';
import { COMPONENT_LABEL, REAPER_COMPONENT, reapJob, reapJobName } from './reap-job.ts';
import type { SafetyNetOptions } from './reap-job.ts';
import { reaperAccessManifests } from './reaper-access.ts';

export interface KubernetesClusterOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the connection came from, for the description (never credentials). */
  readonly source?: string;
  readonly kured?: Partial<KuredManifestOptions>;
  /** Set: kured is deployed by its helm chart (kured-helm.ts) instead of the built-in manifests. */
  readonly helm?: KuredHelm | undefined;
  /** How long removeRebootDaemon waits for the DaemonSet (and so its pods) to be gone (default 60 s). */
  readonly removeTimeoutMs?: number;
  /**
   * Set: with kured, a Job that removes it at the window's end plus the grace if the bot has not
   * (reap-job.ts), and the Job's ServiceAccount and RBAC (reaper-access.ts). Unset: no safety net.
   */
  readonly safetyNet?: SafetyNetOptions | undefined;
  readonly now?: () => Date;
  readonly onWatchError?: (error: unknown) => void;
}

const LOCK_WRITE_ATTEMPTS = 5;
/** kured's container in its DaemonSet (built-in manifests and the kured chart): whose log tells of the drain. */
const KURED_CONTAINER = 'kured';
const POLL_MS = 250;

export class KubernetesCluster implements ClusterPort {
  readonly simulated = false;
  readonly description: string;
  readonly #objects: KubernetesObjectApi;
  readonly #apps: AppsV1Api;
  readonly #watch: NodeWatch;
  readonly #drain: DrainTracker;
  readonly #kured: KuredManifestOptions;
  readonly #removeTimeoutMs: number;
  readonly #safetyNet: SafetyNetOptions | undefined;
  readonly #helm: KuredHelm | undefined;
  /** kured's DaemonSet, which carries the lock: the built-in name, or the helm release's. */
  readonly #daemonSetName: string;
  readonly #now: () => Date;

  constructor(options: KubernetesClusterOptions) {
    this.#objects = KubernetesObjectApi.makeApiClient(options.kubeConfig);
    this.#apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.#kured = { ...DEFAULT_KURED_MANIFEST_OPTIONS, ...options.kured };
    this.#removeTimeoutMs = options.removeTimeoutMs ?? 60_000;
    // The safety net removes the built-in manifests' objects; a helm release is helm's to remove
    // (kured's own narrowed window is then the guard against a dead bot).
    this.#safetyNet = options.helm === undefined ? options.safetyNet : undefined;
    this.#helm = options.helm;
    this.#daemonSetName = options.helm?.daemonSetName ?? KURED_NAME;
    const onWatchError = options.onWatchError ?? (() => undefined);
    const daemonSet = { namespace: this.#kured.namespace, name: this.#daemonSetName };
    this.#drain = new DrainTracker({
      kured: { namespace: daemonSet.namespace, daemonSet: daemonSet.name, container: KURED_CONTAINER },
      sources: kubernetesDrainSources(options.kubeConfig, { daemonSet }),
      onChange: () => {
        this.#watch.refresh();
      },
      onError: onWatchError,
    });
    this.#watch = new NodeWatch(options.kubeConfig, { onError: onWatchError, drain: this.#drain });
    this.#now = options.now ?? (() => new Date());
    const server = options.kubeConfig.getCurrentCluster()?.server ?? 'unknown server';
    this.description = `Kubernetes cluster ${options.source ?? server}, kured in namespace ${this.#kured.namespace}`;
  }

  get kuredNamespace(): string {
    return this.#kured.namespace;
  }

  nodes(): Promise<NodeSnapshot[]> {
    return this.#watch.nodes();
  }

  watchNodes(listener: (nodes: readonly NodeSnapshot[]) => void): () => void {
    this.#drain.start();
    return this.#watch.subscribe(listener);
  }

  /** Stops the node watch and every drain it follows (watches, log streams); the cluster object is not used afterwards. */
  async close(): Promise<void> {
    await Promise.all([this.#drain.close(), this.#watch.stop()]);
  }

  async rebootDaemon(): Promise<RebootDaemonStatus> {
    const daemonSet = await this.#readDaemonSet();
    if (daemonSet === undefined) return { present: false, windowId: undefined };
    // The built-in manifests label the DaemonSet; the kured chart can only annotate it (dsAnnotations).
    const label = daemonSet.metadata?.labels?.[WINDOW_LABEL] ?? daemonSet.metadata?.annotations?.[WINDOW_LABEL];
    const windowId = label !== undefined && /^\d+$/.test(label) ? Number(label) : undefined;
    if (windowId === undefined || this.#safetyNet === undefined) return { present: true, windowId };
    // The safety net is part of the window's deployment: a Job deleted by hand is restored by the
    // next reconcile, so a bot that dies later still cannot leave kured behind.
    const job = objectRef('batch/v1', 'Job', reapJobName(windowId), this.#kured.namespace);
    const present = (await readObject(this.#objects, job)) !== undefined;
    return present ? { present: true, windowId } : { present: true, windowId, incomplete: `safety-net Job ${this.#kured.namespace}/${reapJobName(windowId)}` };
  }

  /** Server-side apply of every resource: the same window again changes nothing; another window's is updated in place. */
  async deployRebootDaemon(spec: RebootDaemonSpec): Promise<void> {
    if (this.#helm !== undefined) {
      await this.#helm.install(spec);
    } else {
      for (const manifest of kuredManifests(spec, this.#kured)) {
        await this.#objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      }
    }
    if (this.#safetyNet !== undefined) await this.#deploySafetyNet(spec, this.#safetyNet);
  }

  /**
   * kured's resources (kured-removal.ts: the DaemonSet and its pods first, then its RBAC and
   * ServiceAccount; the namespace stays), then the safety net's Jobs: only once kured is gone, so
   * a bot that dies in between still leaves its safety net behind.
   */
  async removeRebootDaemon(): Promise<void> {
    if (this.#helm !== undefined) {
      await this.#helm.uninstall();
      await this.#untilDaemonSetGone();
    } else {
      await removeKuredResources(this.#objects, { namespace: this.#kured.namespace, timeoutMs: this.#removeTimeoutMs });
    }
    if (this.#safetyNet !== undefined) await this.#deleteReapJobs();
  }

  async readLock(): Promise<RebootLock> {
    const daemonSet = await this.#readDaemonSet();
    if (daemonSet === undefined) return { holders: [], maxOwners: 1, holdings: [] };
    const lock = lockOf(daemonSet);
    return { holders: lockHolders(lock), maxOwners: lockMaxOwners(lock), holdings: lockHoldings(lock) };
  }

  /** Rejects when no daemon is deployed: the lock is an annotation on its DaemonSet. */
  async holdRebootLock(owner: string): Promise<void> {
    if (owner === '') throw new RangeError('the reboot lock cannot be held by an empty owner');
    await this.#changeLock('hold', (lock) => holdLock(lock, owner, this.#now()));
  }

  async releaseRebootLock(owner: string): Promise<void> {
    await this.#changeLock('release', (lock) => releaseLock(lock, owner));
  }

  async releaseLockHolder(holder: string, since?: Date): Promise<boolean> {
    let released = false;
    await this.#changeLock('release', (lock) => {
      // Decided again on every attempt: a conflict means kured changed the lock in between.
      const changed = releaseHolder(lock, holder, since);
      released = changed !== lock;
      return changed;
    });
    return released;
  }

  /**
   * Read, change, write back with the resourceVersion read (a merge patch that carries it fails
   * with 409 when kured changed the lock in between: then again, from a fresh read).
   */
  async #changeLock(what: 'hold' | 'release', change: (lock: KuredLockValue) => KuredLockValue): Promise<void> {
    const { namespace } = this.#kured;
    for (let attempt = 1; ; attempt++) {
      const daemonSet = await this.#readDaemonSet();
      if (daemonSet === undefined) {
        if (what === 'release') return;
        throw new Error('cannot hold the reboot lock: the reboot daemon is not deployed');
      }
      const lock = lockOf(daemonSet);
      const changed = change(lock);
      if (changed === lock) return;
      const body = {
        metadata: { resourceVersion: daemonSet.metadata?.resourceVersion, annotations: { [KURED_LOCK_ANNOTATION]: formatLockAnnotation(changed) ?? null } },
      };
      try {
        await this.#apps.patchNamespacedDaemonSet(
          { name: this.#daemonSetName, namespace, body, fieldManager: `${FIELD_MANAGER}-lock` },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return;
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409) || attempt >= LOCK_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /** After `helm uninstall --wait`: confirms kured's DaemonSet is really gone (helm only waited as long as its timeout). */
  async #untilDaemonSetGone(): Promise<void> {
    const deadline = Date.now() + this.#removeTimeoutMs;
    while ((await this.#readDaemonSet()) !== undefined) {
      if (Date.now() > deadline) {
        throw new Error(`kured DaemonSet ${this.#kured.namespace}/${this.#daemonSetName} is still there ${this.#removeTimeoutMs} ms after helm uninstall`);
      }
      await sleep(POLL_MS);
    }
  }

  async #readDaemonSet(): Promise<V1DaemonSet | undefined> {
    try {
      return await this.#apps.readNamespacedDaemonSet({ name: this.#daemonSetName, namespace: this.#kured.namespace });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  /**
   * The reaper's identity (it stays between windows), then this window's Job. A Job's pod template
   * cannot change: a Job of this window made with other options (image, grace) is replaced.
   */
  async #deploySafetyNet(spec: RebootDaemonSpec, options: SafetyNetOptions): Promise<void> {
    const { namespace } = this.#kured;
    for (const manifest of reaperAccessManifests(namespace)) {
      await this.#objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    }
    const job = reapJob(spec, namespace, options);
    try {
      await this.#objects.patch(job, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 422)) throw error;
      const ref = objectRef(job.apiVersion, job.kind, job.metadata.name, namespace);
      await this.#delete(ref);
      const deadline = Date.now() + this.#removeTimeoutMs;
      while ((await readObject(this.#objects, ref)) !== undefined) {
        if (Date.now() > deadline) throw new Error(`Job ${namespace}/${job.metadata.name} is still being deleted after ${this.#removeTimeoutMs} ms`, { cause: error });
        await sleep(POLL_MS);
      }
      await this.#objects.patch(job, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    }
  }

  /** Every safety-net Job in kured's namespace (earlier windows' too), with their pods (Background). */
  async #deleteReapJobs(): Promise<void> {
    const { namespace } = this.#kured;
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY},${COMPONENT_LABEL}=${REAPER_COMPONENT}`;
    const jobs = await this.#objects.list('batch/v1', 'Job', namespace, undefined, undefined, undefined, undefined, selector);
    for (const job of jobs.items) {
      const name = job.metadata?.name;
      if (name !== undefined) await this.#delete(objectRef('batch/v1', 'Job', name, namespace));
    }
  }

  /** Objects that own nothing that must go first (RBAC, Jobs whose pods the collector removes) go at once (Background). */
  async #delete(object: KubernetesObject, propagation: 'Foreground' | 'Background' = 'Background'): Promise<void> {
    try {
      await this.#objects.delete(object, undefined, undefined, undefined, undefined, propagation);
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return;
      throw error;
    }
  }
}

/** The DaemonSet's lock; the form for a free lock follows its --concurrency argument. */
function lockOf(daemonSet: V1DaemonSet): KuredLockValue {
  const args = daemonSet.spec?.template.spec?.containers.flatMap((container) => container.args ?? []) ?? [];
  const concurrencyArg = args.find((arg) => arg.startsWith('--concurrency='));
  const concurrency = concurrencyArg === undefined ? 1 : Number(concurrencyArg.slice('--concurrency='.length)) || 1;
  return parseLockAnnotation(daemonSet.metadata?.annotations?.[KURED_LOCK_ANNOTATION], concurrency);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
