// KubernetesCluster (the ClusterPort on @kubernetes/client-node) against a real kube-apiserver:
// nodes and their watch (Ready flips, cordon, bootID change, the agent's annotations), kured's
// resources by server-side apply (field manager patchwindow), idempotent redeploy and complete
// removal, kured's lock in both forms, and pause holds.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { kuredManifests } from '../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import type { NodeSnapshot, RebootDaemonSpec } from '../../bot/core/ports/cluster-port.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { resourcePath } from './harness/objects.ts';
import type { Manifest } from './harness/objects.ts';
import { startSimulatedNodes } from './harness/nodes.ts';
import type { SimulatedNodes } from './harness/nodes.ts';

const NODES = ['node-a', 'node-b', 'node-c'];
const LOCK = 'weave.works/kured-node-lock';
const DS_PATH = '/apis/apps/v1/namespaces/kured/daemonsets/kured';

const spec = (windowId: number, concurrency = 1): RebootDaemonSpec => ({
  windowId,
  start: new Date('2026-03-07T21:00:00Z'),
  end: new Date('2026-03-08T01:00:00Z'),
  zone: 'Europe/Zurich',
  concurrency,
  nodeSelector: undefined,
});

interface ObjectWithFields {
  metadata: {
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager: string; operation: string }[];
  };
}

async function until<T>(description: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('KubernetesCluster on a real API server', () => {
  let cluster: TestCluster | undefined;
  let sim: SimulatedNodes | undefined;
  let kube: KubernetesCluster | undefined;
  let failed = false;

  const started = (): { cluster: TestCluster; sim: SimulatedNodes; kube: KubernetesCluster } => {
    if (cluster === undefined || sim === undefined || kube === undefined) throw new Error('cluster not started');
    return { cluster, sim, kube };
  };

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false });
    sim = await startSimulatedNodes(cluster.admin, { names: NODES, heartbeatMs: 2000 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.adminKubeconfig);
    kube = new KubernetesCluster({ kubeConfig, source: 'test admin kubeconfig', removeTimeoutMs: 30_000 });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    await kube?.close().catch((error: unknown) => problems.push(error));
    try {
      sim?.stop();
    } catch (error) {
      problems.push(error);
    }
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('lists the nodes and maps them', async () => {
    const { kube: port } = started();
    const nodes = await until('3 Ready nodes', 30_000, async () => {
      const list = await port.nodes();
      return list.length === 3 && list.every((node) => node.ready) ? list : undefined;
    });
    expect(nodes.map((node) => node.name)).toEqual(NODES);
    for (const node of nodes) {
      expect(node).toMatchObject({ ready: true, unschedulable: false, pendingReboot: undefined, drain: undefined });
      expect(node.bootId).not.toBe('');
      expect(node.labels).toBeTypeOf('object');
    }
    expect(port.simulated).toBe(false);
    expect(port.description).toContain('test admin kubeconfig');
  });

  it('watches: agent annotations, cordon, Ready flip and a new bootID arrive as changed snapshots', async () => {
    const { cluster: c, sim: nodes, kube: port } = started();
    const seen: (readonly NodeSnapshot[])[] = [];
    const stop = port.watchNodes((list) => seen.push(list));
    try {
      const latest = (name: string): NodeSnapshot | undefined => seen.at(-1)?.find((node) => node.name === name);
      await until('the first full list', 30_000, () => (seen.at(-1)?.length === 3 ? true : undefined));
      const countBefore = seen.length;

      await c.admin.patch('/api/v1/nodes/node-a', {
        metadata: {
          annotations: {
            'patchwindow.dev/reboot-required': 'true',
            'patchwindow.dev/reboot-required-since': '2026-03-07T20:00:00Z',
            'patchwindow.dev/reboot-required-packages': 'linux-image-6.1.0-28-amd64,libc6',
          },
        },
      });
      await until('node-a pending', 10_000, () => (latest('node-a')?.pendingReboot !== undefined ? true : undefined));
      expect(latest('node-a')?.pendingReboot).toEqual({ since: new Date('2026-03-07T20:00:00Z'), packages: ['linux-image-6.1.0-28-amd64', 'libc6'] });

      await c.admin.patch('/api/v1/nodes/node-b', { spec: { unschedulable: true } });
      await until('node-b cordoned', 10_000, () => (latest('node-b')?.unschedulable === true ? true : undefined));

      const bootBefore = latest('node-c')?.bootId;
      await nodes.down('node-c', 'rebooting');
      await until('node-c NotReady', 10_000, () => (latest('node-c')?.ready === false ? true : undefined));
      await nodes.up('node-c');
      const back = await until('node-c Ready with a new bootID', 10_000, () => {
        const node = latest('node-c');
        return node?.ready === true && node.bootId !== bootBefore ? node : undefined;
      });
      expect(back.bootId).toBe(nodes.state('node-c').bootID);

      // Heartbeats (every 2 s) alone are not changes: over a few heartbeats, every snapshot that
      // arrives differs from the one before it (the control plane's own controllers may still
      // change something a snapshot shows, so "none at all" would be a race).
      const quietFrom = seen.length;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      for (let index = Math.max(quietFrom, 1); index < seen.length; index++) expect(seen[index]).not.toEqual(seen[index - 1]);
      expect(seen.length).toBeGreaterThan(countBefore);

      await c.admin.patch('/api/v1/nodes/node-b', { spec: { unschedulable: false } });
      await c.admin.patch('/api/v1/nodes/node-a', { metadata: { annotations: { 'patchwindow.dev/reboot-required': 'false' } } });
      await until('node-a no longer pending, node-b uncordoned', 10_000, () =>
        latest('node-a')?.pendingReboot === undefined && latest('node-b')?.unschedulable === false ? true : undefined,
      );
      // nodes() answers from the synced cache the same as the watch
      expect(await port.nodes()).toEqual(seen.at(-1));
    } finally {
      stop();
    }
  });

  it('deploys every kured resource by server-side apply (manager patchwindow), redeploys idempotently, removes all', async () => {
    const { cluster: c, kube: port } = started();
    expect(await port.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    await port.removeRebootDaemon(); // absent: succeeds

    await port.deployRebootDaemon(spec(7));
    const manifests = kuredManifests(spec(7)) as unknown as Manifest[];
    const versions = new Map<string, string | undefined>();
    for (const manifest of manifests) {
      const live = await c.admin.get<ObjectWithFields>(resourcePath(manifest));
      expect(live.metadata.labels?.['app.kubernetes.io/managed-by'], manifest.kind).toBe('patchwindow');
      expect(live.metadata.labels?.['patchwindow.dev/window'], manifest.kind).toBe('7');
      expect(live.metadata.managedFields?.some((entry) => entry.manager === 'patchwindow' && entry.operation === 'Apply'), manifest.kind).toBe(true);
      versions.set(resourcePath(manifest), live.metadata.resourceVersion);
    }
    const ds = await c.admin.get<{ spec: { template: { spec: { containers: { image: string; args: string[] }[] } } } }>(DS_PATH);
    expect(ds.spec.template.spec.containers[0]?.image).toBe('ghcr.io/kubereboot/kured:1.23.0');
    expect(ds.spec.template.spec.containers[0]?.args).toEqual(expect.arrayContaining(['--period=1m', '--start-time=22:00', '--end-time=02:00', '--reboot-days=sa,su']));
    expect(await port.rebootDaemon()).toEqual({ present: true, windowId: 7 });

    // the same window again: nothing changes
    await port.deployRebootDaemon(spec(7));
    for (const manifest of manifests) {
      const live = await c.admin.get<ObjectWithFields>(resourcePath(manifest));
      expect(live.metadata.resourceVersion, manifest.kind).toBe(versions.get(resourcePath(manifest)));
    }

    // another window: replaced in place, the lock annotation kured wrote survives
    await c.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: '{"nodeID":"node-a","metadata":{"unschedulable":false},"created":"2026-03-07T21:01:00Z","TTL":0}' } } });
    await port.deployRebootDaemon(spec(8, 2));
    expect(await port.rebootDaemon()).toEqual({ present: true, windowId: 8 });
    const updated = await c.admin.get<ObjectWithFields & { spec: { template: { spec: { containers: { args: string[] }[] } } } }>(DS_PATH);
    expect(updated.spec.template.spec.containers[0]?.args).toContain('--concurrency=2');
    expect(updated.metadata.annotations?.[LOCK]).toContain('node-a');

    await port.removeRebootDaemon();
    for (const manifest of manifests.filter((m) => m.kind !== 'Namespace')) {
      expect(await c.admin.find(resourcePath(manifest)), `${manifest.kind} still there`).toBeUndefined();
    }
    expect(await port.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    await port.removeRebootDaemon(); // idempotent
  });

  it('reads the lock in both forms and holds/releases it for a pause', async () => {
    const { cluster: c, kube: port } = started();
    expect(await port.readLock()).toMatchObject({ holders: [], maxOwners: 1 });
    await expect(port.holdRebootLock('patchwindow-pause')).rejects.toThrow(/not deployed/);
    await port.releaseRebootLock('patchwindow-pause'); // nothing deployed: nothing to give back

    // single form (concurrency 1)
    await port.deployRebootDaemon(spec(9));
    expect(await port.readLock()).toMatchObject({ holders: [], maxOwners: 1 });
    await port.holdRebootLock('patchwindow-pause');
    expect(await port.readLock()).toMatchObject({ holders: ['patchwindow-pause/1'], maxOwners: 1 });
    const held = await c.admin.get<ObjectWithFields>(DS_PATH);
    expect(JSON.parse(held.metadata.annotations?.[LOCK] ?? '{}')).toMatchObject({ nodeID: 'patchwindow-pause/1', TTL: 0 });
    await port.holdRebootLock('patchwindow-pause'); // idempotent
    await port.releaseRebootLock('patchwindow-pause');
    expect(await port.readLock()).toMatchObject({ holders: [], maxOwners: 1 });
    expect((await c.admin.get<ObjectWithFields>(DS_PATH)).metadata.annotations?.[LOCK]).toBeUndefined();

    // a node holds it: the hold cannot take it, a release leaves it
    await c.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: '{"nodeID":"node-b","metadata":{"unschedulable":false},"created":"2026-03-07T21:01:00Z","TTL":0}' } } });
    await port.holdRebootLock('patchwindow-pause');
    await port.releaseRebootLock('patchwindow-pause');
    expect(await port.readLock()).toMatchObject({ holders: ['node-b'], maxOwners: 1 });
    await c.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: null } } });

    // multi form (concurrency 3): free slots get dummy holders
    await port.deployRebootDaemon(spec(10, 3));
    expect(await port.readLock()).toMatchObject({ holders: [], maxOwners: 3 });
    await c.admin.patch(DS_PATH, {
      metadata: { annotations: { [LOCK]: '{"maxOwners":3,"locks":[{"nodeID":"node-c","metadata":{"unschedulable":false},"created":"2026-03-07T21:01:00Z","TTL":0}]}' } },
    });
    expect(await port.readLock()).toMatchObject({ holders: ['node-c'], maxOwners: 3 });
    await port.holdRebootLock('patchwindow-pause');
    expect(await port.readLock()).toMatchObject({ holders: ['node-c', 'patchwindow-pause/1', 'patchwindow-pause/2'], maxOwners: 3 });
    await port.releaseRebootLock('patchwindow-pause');
    expect(await port.readLock()).toMatchObject({ holders: ['node-c'], maxOwners: 3 });

    await port.removeRebootDaemon();
    expect(await port.readLock()).toMatchObject({ holders: [], maxOwners: 1 });
  });
});
