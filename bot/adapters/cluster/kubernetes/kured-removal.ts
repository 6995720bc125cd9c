// Removing kured's resources: the one way, used by the bot when it closes a window (everything,
// unconditionally) and by `patchwindow reap`, the safety net (only what carries the reaped
// window's label, so a Job of window 5 never removes window 6's kured). The DaemonSet goes first
// (Foreground: its pods before it) and is waited for; then its RBAC and ServiceAccount, which own
// nothing. kured's namespace stays: it may hold more than kured.
import { ApiException, V1DeleteOptions, V1ObjectMeta, V1Preconditions } from '@kubernetes/client-node';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { clusterRoleName, KURED_NAME, WINDOW_LABEL } from './kured-manifests.ts';

export interface KuredRemovalOptions {
  readonly namespace: string;
  /** How long to wait for the DaemonSet (and so its pods) to be gone. */
  readonly timeoutMs: number;
  /** Set: remove only objects labelled with this window; others are left and reported. */
  readonly window?: number | undefined;
  readonly pollMs?: number;
}

export interface KeptObject {
  /** e.g. `DaemonSet kured/kured`. */
  readonly object: string;
  /** The window label it carries instead (undefined: none). */
  readonly window: string | undefined;
}

export interface KuredRemoval {
  /** What was deleted, e.g. `DaemonSet kured/kured` (absent objects are not listed). */
  readonly removed: readonly string[];
  /** Objects left because they belong to another window (only with `window`). */
  readonly kept: readonly KeptObject[];
}

/** A changed object between read and delete (kured writes its lock annotation): read again. */
const DELETE_ATTEMPTS = 5;
const DEFAULT_POLL_MS = 250;
const RBAC = 'rbac.authorization.k8s.io/v1';

/** kured's objects in removal order (the DaemonSet, then what only it used). */
export function kuredObjectRefs(namespace: string): KubernetesObject[] {
  const rbac = clusterRoleName(namespace);
  return [
    objectRef('apps/v1', 'DaemonSet', KURED_NAME, namespace),
    objectRef(RBAC, 'RoleBinding', KURED_NAME, namespace),
    objectRef(RBAC, 'Role', KURED_NAME, namespace),
    objectRef(RBAC, 'ClusterRoleBinding', rbac),
    objectRef(RBAC, 'ClusterRole', rbac),
    objectRef('v1', 'ServiceAccount', KURED_NAME, namespace),
  ];
}

export async function removeKuredResources(api: KubernetesObjectApi, options: KuredRemovalOptions): Promise<KuredRemoval> {
  const removed: string[] = [];
  const kept: KeptObject[] = [];
  const [daemonSet, ...rest] = kuredObjectRefs(options.namespace);
  if (daemonSet === undefined) throw new Error('kured has no DaemonSet reference');
  for (const ref of [daemonSet, ...rest]) {
    const isDaemonSet = ref === daemonSet;
    // Foreground: the DaemonSet stays visible until its pods are gone, which is what "removed" means.
    const outcome = await deleteObject(api, ref, options.window, isDaemonSet ? 'Foreground' : 'Background');
    if (outcome.kind === 'kept') {
      kept.push({ object: describe(ref), window: outcome.window });
      continue;
    }
    if (outcome.kind === 'absent') continue;
    removed.push(describe(ref));
    if (isDaemonSet) await waitUntilGone(api, ref, outcome.uid, options);
  }
  return { removed, kept };
}

type DeleteOutcome =
  | { readonly kind: 'deleted'; readonly uid: string | undefined }
  | { readonly kind: 'absent' }
  | { readonly kind: 'kept'; readonly window: string | undefined };

/**
 * Without `window`: a plain delete (404 counts as done). With it: read, compare the label, and
 * delete with the read resourceVersion as precondition, so an object re-applied for another
 * window in between is never deleted (409: read again).
 */
async function deleteObject(api: KubernetesObjectApi, ref: KubernetesObject, window: number | undefined, propagation: 'Foreground' | 'Background'): Promise<DeleteOutcome> {
  if (window === undefined) {
    try {
      await api.delete(ref, undefined, undefined, undefined, undefined, propagation);
      return { kind: 'deleted', uid: undefined };
    } catch (error) {
      if (isStatus(error, 404)) return { kind: 'absent' };
      throw failed('delete', ref, error);
    }
  }
  for (let attempt = 1; ; attempt++) {
    const live = await readObject(api, ref);
    if (live === undefined) return { kind: 'absent' };
    const label = live.metadata?.labels?.[WINDOW_LABEL];
    if (label !== String(window)) return { kind: 'kept', window: label };
    const uid = live.metadata?.uid;
    const resourceVersion = live.metadata?.resourceVersion;
    const preconditions = new V1Preconditions();
    if (uid !== undefined) preconditions.uid = uid;
    if (resourceVersion !== undefined) preconditions.resourceVersion = resourceVersion;
    const body = new V1DeleteOptions();
    body.propagationPolicy = propagation;
    body.preconditions = preconditions;
    try {
      await api.delete(ref, undefined, undefined, undefined, undefined, propagation, body);
      return { kind: 'deleted', uid };
    } catch (error) {
      if (isStatus(error, 404)) return { kind: 'absent' };
      if (!isStatus(error, 409) || attempt >= DELETE_ATTEMPTS) throw failed('delete', ref, error);
    }
  }
}

/** Until the object is gone; with a known uid, a new object of the same name counts as gone. */
async function waitUntilGone(api: KubernetesObjectApi, ref: KubernetesObject, uid: string | undefined, options: KuredRemovalOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const live = await readObject(api, ref);
    if (live === undefined || (uid !== undefined && live.metadata?.uid !== uid)) return;
    if (Date.now() > deadline) {
      throw new Error(`${describe(ref)} is still being deleted after ${options.timeoutMs} ms (its pods are not gone yet)`);
    }
    await sleep(options.pollMs ?? DEFAULT_POLL_MS);
  }
}

/** The live object, or undefined when there is none (404). */
export async function readObject(api: KubernetesObjectApi, ref: KubernetesObject): Promise<KubernetesObject | undefined> {
  const name = ref.metadata?.name ?? '';
  const namespace = ref.metadata?.namespace;
  try {
    return await api.read({ apiVersion: ref.apiVersion ?? '', kind: ref.kind ?? '', metadata: namespace === undefined ? { name } : { name, namespace } });
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw failed('read', ref, error);
  }
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

function failed(action: string, ref: KubernetesObject, error: unknown): Error {
  const reason = error instanceof ApiException ? `HTTP ${error.code}${statusMessage(error.body)}` : error instanceof Error ? error.message : String(error);
  return new Error(`cannot ${action} ${describe(ref)}: ${reason}`, { cause: error });
}

/** The API server's Status message (the body arrives parsed or as text), e.g. why RBAC refused. */
function statusMessage(body: unknown): string {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return '';
    }
  }
  const message = typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message !== '' ? `: ${message}` : '';
}

function describe(ref: KubernetesObject): string {
  const name = ref.metadata?.name ?? '';
  return `${ref.kind ?? ''} ${ref.metadata?.namespace === undefined ? name : `${ref.metadata.namespace}/${name}`}`;
}

/** What delete and read need to find an object. */
export function objectRef(apiVersion: string, kind: string, name: string, namespace?: string): KubernetesObject {
  const metadata = new V1ObjectMeta();
  metadata.name = name;
  if (namespace !== undefined) metadata.namespace = namespace;
  return { apiVersion, kind, metadata };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
