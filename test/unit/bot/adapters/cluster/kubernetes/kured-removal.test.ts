// The one removal of kured's objects, against an in-memory object API: the order (DaemonSet first
// and waited for), the unconditional removal of the bot, and the safety net's removal that only
// takes what carries its window and never deletes an object that changed after it was read.
import { ApiException, V1ObjectMeta } from '@kubernetes/client-node';
import type { KubernetesObject, KubernetesObjectApi, V1DeleteOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kuredObjectRefs, removeKuredResources } from '../../../../../../bot/adapters/cluster/kubernetes/kured-removal.ts';

interface Stored {
  uid: string;
  resourceVersion: number;
  labels: Record<string, string>;
  /** Reads left before a deleted object is really gone (its pods still terminating). */
  lingering: number;
  deleting: boolean;
}

interface Call {
  readonly verb: 'read' | 'delete';
  readonly key: string;
  readonly propagation?: string | undefined;
  readonly preconditions?: { uid?: string; resourceVersion?: string } | undefined;
}

/** Just enough of KubernetesObjectApi: read and delete by kind, namespace and name. */
class FakeObjects {
  readonly objects = new Map<string, Stored>();
  readonly calls: Call[] = [];
  /** Called after each read, to let "someone else" change the object in between. */
  afterRead: (key: string) => void = () => undefined;
  #nextUid = 1;

  /** As the removal names objects: `Kind namespace/name`, or `Kind name` when cluster-scoped. */
  static key(ref: KubernetesObject): string {
    const name = ref.metadata?.name ?? '';
    return `${ref.kind ?? ''} ${ref.metadata?.namespace === undefined ? name : `${ref.metadata.namespace}/${name}`}`;
  }

  put(key: string, window: string | undefined, lingering = 0): Stored {
    const stored: Stored = { uid: `uid-${this.#nextUid++}`, resourceVersion: 1, labels: window === undefined ? {} : { 'patchwindow.dev/window': window }, lingering, deleting: false };
    this.objects.set(key, stored);
    return stored;
  }

  read(ref: KubernetesObject): Promise<KubernetesObject> {
    const key = FakeObjects.key(ref);
    this.calls.push({ verb: 'read', key });
    const stored = this.objects.get(key);
    if (stored?.deleting === true) {
      if (stored.lingering <= 0) this.objects.delete(key);
      stored.lingering--;
    }
    const now = this.objects.get(key);
    if (now === undefined) return Promise.reject(new ApiException(404, 'not found', {}, {}));
    const metadata = new V1ObjectMeta();
    metadata.name = ref.metadata?.name ?? '';
    if (ref.metadata?.namespace !== undefined) metadata.namespace = ref.metadata.namespace;
    metadata.uid = now.uid;
    metadata.resourceVersion = String(now.resourceVersion);
    metadata.labels = { ...now.labels };
    const object: KubernetesObject = { apiVersion: ref.apiVersion ?? '', kind: ref.kind ?? '', metadata };
    this.afterRead(key);
    return Promise.resolve(object);
  }

  delete(ref: KubernetesObject, _pretty?: string, _dryRun?: string, _grace?: number, _orphan?: boolean, propagation?: string, body?: V1DeleteOptions): Promise<unknown> {
    const key = FakeObjects.key(ref);
    this.calls.push({ verb: 'delete', key, propagation, preconditions: body?.preconditions });
    const stored = this.objects.get(key);
    if (stored === undefined || stored.deleting) return Promise.reject(new ApiException(404, 'not found', {}, {}));
    const wanted = body?.preconditions;
    if ((wanted?.uid !== undefined && wanted.uid !== stored.uid) || (wanted?.resourceVersion !== undefined && wanted.resourceVersion !== String(stored.resourceVersion))) {
      return Promise.reject(new ApiException(409, 'conflict', { message: 'the object has been modified' }, {}));
    }
    if (stored.lingering > 0) stored.deleting = true;
    else this.objects.delete(key);
    return Promise.resolve({});
  }

  api(): KubernetesObjectApi {
    return this as unknown as KubernetesObjectApi;
  }
}

const KEYS = kuredObjectRefs('kured').map((ref) => FakeObjects.key(ref));
const DAEMONSET = 'DaemonSet kured/kured';

function withKured(window: string | undefined, daemonSetLingering = 0): FakeObjects {
  const fake = new FakeObjects();
  for (const key of KEYS) fake.put(key, window, key === DAEMONSET ? daemonSetLingering : 0);
  return fake;
}

describe('kuredObjectRefs', () => {
  it('is the DaemonSet first, then what only it used', () => {
    expect(KEYS).toEqual([
      'DaemonSet kured/kured',
      'RoleBinding kured/kured',
      'Role kured/kured',
      'ClusterRoleBinding patchwindow-kured-kured',
      'ClusterRole patchwindow-kured-kured',
      'ServiceAccount kured/kured',
    ]);
  });
});

describe('removeKuredResources without a window (the bot closing)', () => {
  it('deletes everything, the DaemonSet in the foreground and waited for before the rest', async () => {
    const fake = withKured('5', 3);
    const removal = await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 5000, pollMs: 1 });
    expect(removal).toEqual({ removed: KEYS, kept: [] });
    expect(fake.objects.size).toBe(0);
    const deletes = fake.calls.filter((call) => call.verb === 'delete');
    expect(deletes.map((call) => call.key)).toEqual(KEYS);
    expect(deletes.map((call) => call.propagation)).toEqual(['Foreground', 'Background', 'Background', 'Background', 'Background', 'Background']);
    // the reads between the DaemonSet's delete and the next delete: waiting until it was gone
    const firstRest = fake.calls.findIndex((call) => call.key === 'RoleBinding kured/kured');
    expect(fake.calls.slice(1, firstRest).every((call) => call.verb === 'read' && call.key === DAEMONSET)).toBe(true);
    expect(fake.calls.slice(1, firstRest)).toHaveLength(4);
  });

  it('succeeds when nothing is there', async () => {
    const fake = new FakeObjects();
    expect(await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 1000 })).toEqual({ removed: [], kept: [] });
  });

  it('fails with the object and the time when the DaemonSet does not go', async () => {
    const fake = withKured('5', 1_000_000);
    await expect(removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 30, pollMs: 5 })).rejects.toThrow(
      'DaemonSet kured/kured is still being deleted after 30 ms (its pods are not gone yet)',
    );
    // nothing after the DaemonSet was touched: its RBAC stays while its pods may still run
    expect(fake.objects.size).toBe(KEYS.length);
  });

  it('names the object and keeps the API error as the cause', async () => {
    const fake = withKured('5');
    fake.delete = () => Promise.reject(new ApiException(403, 'forbidden', '{"kind":"Status","message":"daemonsets.apps \\"kured\\" is forbidden"}', {}));
    const error = await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 1000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('cannot delete DaemonSet kured/kured: HTTP 403: daemonsets.apps "kured" is forbidden');
    expect((error as Error).cause).toBeInstanceOf(ApiException);
  });
});

describe('removeKuredResources for a window (the safety net)', () => {
  it('removes the window\'s objects, each deleted with the uid and resourceVersion it read', async () => {
    const fake = withKured('5', 2);
    const removal = await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 5000, window: 5, pollMs: 1 });
    expect(removal).toEqual({ removed: KEYS, kept: [] });
    const deletes = fake.calls.filter((call) => call.verb === 'delete');
    expect(deletes.every((call) => call.preconditions?.uid !== undefined && call.preconditions.resourceVersion === '1')).toBe(true);
  });

  it("leaves another window's objects (and unlabelled ones) and says whose they are", async () => {
    const fake = withKured('6');
    fake.put('ServiceAccount kured/kured', undefined);
    const removal = await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 1000, window: 5 });
    expect(removal.removed).toEqual([]);
    expect(removal.kept).toEqual(KEYS.map((object) => ({ object, window: object === 'ServiceAccount kured/kured' ? undefined : '6' })));
    expect(fake.objects.size).toBe(KEYS.length);
    expect(fake.calls.some((call) => call.verb === 'delete')).toBe(false);
  });

  it('removes what is left of its window when a removal was cut short (only some objects there)', async () => {
    const fake = new FakeObjects();
    fake.put('ClusterRole patchwindow-kured-kured', '5');
    fake.put('ServiceAccount kured/kured', '5');
    expect(await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 1000, window: 5 })).toEqual({
      removed: ['ClusterRole patchwindow-kured-kured', 'ServiceAccount kured/kured'],
      kept: [],
    });
  });

  it('reads again when the object changed after the read (kured wrote its lock): still its window, so it goes', async () => {
    const fake = withKured('5');
    let changes = 2;
    fake.afterRead = (key) => {
      const stored = fake.objects.get(key);
      if (key === DAEMONSET && stored !== undefined && changes-- > 0) stored.resourceVersion++;
    };
    const removal = await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 1000, window: 5, pollMs: 1 });
    expect(removal.removed).toContain(DAEMONSET);
    expect(fake.calls.filter((call) => call.verb === 'delete' && call.key === DAEMONSET)).toHaveLength(3);
  });

  it('never deletes an object re-applied for another window between its read and its delete', async () => {
    const fake = withKured('5');
    fake.afterRead = (key) => {
      const stored = fake.objects.get(key);
      // the bot deploys window 6 right then: same objects, updated in place (same uid)
      if (stored !== undefined && stored.labels['patchwindow.dev/window'] === '5') {
        stored.labels = { 'patchwindow.dev/window': '6' };
        stored.resourceVersion++;
      }
    };
    const removal = await removeKuredResources(fake.api(), { namespace: 'kured', timeoutMs: 1000, window: 5 });
    expect(removal.removed).toEqual([]);
    expect(removal.kept.map((kept) => kept.window)).toEqual(KEYS.map(() => '6'));
    expect(fake.objects.size).toBe(KEYS.length);
  });
});
