// KubernetesCluster's node watch when its connection is cut, on a real API server: a proxy between
// the adapter and kube-apiserver drops every connection and refuses new ones while the test changes
// the nodes straight on the API server (a cordon, a whole reboot, the agent's pending-reboot
// marks, a node deleted, one created). Once the proxy lets the adapter through again, its snapshots
// show every one of those end states - nothing missed - and the failures were told to
// onWatchError. Two ways back: the watch resumed from the last resourceVersion (the history still
// there), and - after etcd compacted that history during the cut - the resumed watch answered
// 410 Gone and the adapter relisting. Also a drain going on when the cut began: the node reboots
// meanwhile and kured's lock reads again only after the nodes; the drain is over, not begun again.
// Nodes are served from etcd here (--watch-cache-sizes=nodes#0), so compacting etcd is what makes
// a resourceVersion too old; the API server's own compaction is off, so only the test compacts.
import { performance } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  REBOOT_REQUIRED_ANNOTATION,
  REBOOT_REQUIRED_LABEL,
  REBOOT_REQUIRED_PACKAGES_ANNOTATION,
  REBOOT_REQUIRED_SINCE_ANNOTATION,
} from '../../agent/core/node-contract.ts';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import type { NodeSnapshot } from '../../bot/core/ports/cluster-port.ts';
import { initialProgress, observeNode } from '../../bot/core/windows/node-progress.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { startCountingProxy } from './harness/counting-proxy.ts';
import type { CountingProxy, ProxiedRequest } from './harness/counting-proxy.ts';
import { compactEtcd } from './harness/etcd.ts';
import { startSimulatedNodes } from './harness/nodes.ts';
import type { SimulatedNodes } from './harness/nodes.ts';

/** Nodes with a simulated kubelet (heartbeats keep their watch busy, as on a real cluster). */
const KUBELET_NODES = ['node-a', 'node-b', 'node-c'];
const LOCK = 'weave.works/kured-node-lock';
const DS_PATH = '/apis/apps/v1/namespaces/kured/daemonsets/kured';
const NO_LOCK = { holders: [], maxOwners: 1 } as const;

interface Observed {
  readonly at: number;
  readonly nodes: readonly NodeSnapshot[];
}

/** Every snapshot the adapter's listener got, and waits on them (event driven, with a deadline). */
class Snapshots {
  readonly all: Observed[] = [];
  readonly #waiters = new Set<() => void>();

  readonly listener = (nodes: readonly NodeSnapshot[]): void => {
    this.all.push({ at: performance.now(), nodes });
    for (const waiter of [...this.#waiters]) waiter();
  };

  latest(name: string): NodeSnapshot | undefined {
    return this.all.at(-1)?.nodes.find((node) => node.name === name);
  }

  names(): string[] {
    return (this.all.at(-1)?.nodes ?? []).map((node) => node.name);
  }

  waitFor<R>(description: string, timeoutMs: number, check: () => R | undefined): Promise<R> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last snapshot: ${JSON.stringify(this.all.at(-1)?.nodes)}`));
      }, timeoutMs);
      this.#waiters.add(done);
      done();
    });
  }
}

/** Polls what has no event of its own here (the proxy's counters, reported errors, nodes()). */
async function until(description: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * nodes() answers from the watch's cache: what the last snapshot showed (once it has caught up: a
 * change the control plane's own controllers make reaches nodes() a moment before the listener).
 */
async function answersLikeTheWatch(port: KubernetesCluster, snapshots: Snapshots): Promise<void> {
  let listed: readonly NodeSnapshot[] = [];
  await until('nodes() to answer what the watch showed last', 10_000, async () => {
    listed = await port.nodes();
    return JSON.stringify(listed) === JSON.stringify(snapshots.all.at(-1)?.nodes);
  }).catch((error: unknown) => {
    throw new Error(`${String(error)}: nodes() ${JSON.stringify(listed)}, last snapshot ${JSON.stringify(snapshots.all.at(-1)?.nodes)}`, { cause: error });
  });
}

/** An error and its causes, as a log line would show them. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    if (!(current instanceof Error)) {
      parts.push(typeof current === 'string' ? current : JSON.stringify(current));
      break;
    }
    const code = (current as { code?: unknown }).code;
    parts.push(`${current.name}: ${current.message}${typeof code === 'string' ? ` (${code})` : ''}`);
    current = current.cause;
  }
  return parts.join(' <- ');
}

/** A (re)connect the cut closed on arrival, e.g. "fetch failed <- ... disconnected before secure TLS connection was established (ECONNRESET)". */
const isRefusal = (error: unknown): boolean => error instanceof Error && /ECONNRESET|disconnected before secure TLS|socket hang up/.test(errorText(error));

/** A request's path and query, e.g. { path: '/api/v1/nodes', watch: true, resourceVersion: '812' }. */
function parsed(request: ProxiedRequest): { path: string; watch: boolean; resourceVersion: string | undefined; fieldSelector: string | undefined } {
  const url = new URL(request.path, 'https://proxy');
  return {
    path: url.pathname,
    watch: url.searchParams.get('watch') === 'true',
    resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
    fieldSelector: url.searchParams.get('fieldSelector') ?? undefined,
  };
}

const isNodes = (request: ProxiedRequest): boolean => request.method === 'GET' && parsed(request).path === '/api/v1/nodes';
const isPodsOf = (node: string) => (request: ProxiedRequest): boolean =>
  parsed(request).path === '/api/v1/pods' && parsed(request).fieldSelector === `spec.nodeName=${node}`;
const isKuredDaemonSets = (request: ProxiedRequest): boolean => parsed(request).path === '/apis/apps/v1/namespaces/kured/daemonsets';

const pendingMarks = {
  metadata: {
    labels: { [REBOOT_REQUIRED_LABEL]: 'true' },
    annotations: {
      [REBOOT_REQUIRED_ANNOTATION]: 'true',
      [REBOOT_REQUIRED_SINCE_ANNOTATION]: '2026-03-07T20:00:00Z',
      [REBOOT_REQUIRED_PACKAGES_ANNOTATION]: 'linux-image-6.1.0-28-amd64',
    },
  },
};
const pendingCleared = {
  metadata: {
    labels: { [REBOOT_REQUIRED_LABEL]: null },
    annotations: { [REBOOT_REQUIRED_ANNOTATION]: 'false', [REBOOT_REQUIRED_SINCE_ANNOTATION]: null, [REBOOT_REQUIRED_PACKAGES_ANNOTATION]: null },
  },
};

describe('KubernetesCluster node watch across a cut connection (real API server)', () => {
  let cluster: TestCluster | undefined;
  let sim: SimulatedNodes | undefined;
  let proxy: CountingProxy | undefined;
  let kube: KubernetesCluster | undefined;
  let stopWatching: (() => void) | undefined;
  const snapshots = new Snapshots();
  const watchErrors: unknown[] = [];
  let failed = false;

  const started = (): { cluster: TestCluster; sim: SimulatedNodes; proxy: CountingProxy; kube: KubernetesCluster } => {
    if (cluster === undefined || sim === undefined || proxy === undefined || kube === undefined) throw new Error('cluster not started');
    return { cluster, sim, proxy, kube };
  };

  /** A Node with no kubelet (nothing heartbeats it, so deleting it stays deleted), Ready with a bootID. */
  async function bareNode(name: string): Promise<void> {
    const { cluster: c } = started();
    await c.admin.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await c.admin.patch(
      `/api/v1/nodes/${name}/status`,
      {
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test node', lastHeartbeatTime: now, lastTransitionTime: now }],
          nodeInfo: { bootID: `boot-${name}`, machineID: '', systemUUID: '', kernelVersion: '', osImage: '', containerRuntimeVersion: '', kubeletVersion: '', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
        },
      },
      'strategic',
    );
  }

  /**
   * Cuts the adapter off, waits until it has reported the failure, runs `changes` straight on the
   * API server, waits until the adapter has tried again and been refused, then lets it back
   * (refusing what `stillRefusing` matches). Returns when the proxy was restored and what was
   * reported meanwhile.
   */
  async function cutWhile(
    changes: () => Promise<void>,
    stillRefusing?: (request: ProxiedRequest) => boolean,
  ): Promise<{ cutMs: number; restoredAt: number; requestsAtRestore: number; snapshotsAtRestore: number; errors: unknown[] }> {
    const { proxy: p } = started();
    const errorsBefore = watchErrors.length;
    const refusedBefore = p.refusedConnections;
    const cutAt = performance.now();
    p.cut();
    await until('the watch failure told to onWatchError', 15_000, () => watchErrors.length > errorsBefore);
    await changes();
    // the adapter keeps trying during the cut, is refused and says so: the way back is its own retry
    await until('a reconnect refused by the cut, and told', 15_000, () => p.refusedConnections > refusedBefore && watchErrors.slice(errorsBefore).some(isRefusal));
    const snapshotsAtRestore = snapshots.all.length;
    const requestsAtRestore = p.requests.length;
    p.restore({ refusing: stillRefusing });
    const restoredAt = performance.now();
    return { cutMs: restoredAt - cutAt, restoredAt, requestsAtRestore, snapshotsAtRestore, errors: watchErrors.slice(errorsBefore) };
  }

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false, apiserverArgs: ['--watch-cache-sizes=nodes#0', '--etcd-compaction-interval=0'] });
    sim = await startSimulatedNodes(cluster.admin, { names: KUBELET_NODES, heartbeatMs: 2000 });
    proxy = await startCountingProxy({ target: cluster.server, caFile: cluster.pki.caCert, certFile: cluster.pki.servingCert, keyFile: cluster.pki.servingKey });
    const admin = new KubeConfig();
    admin.loadFromFile(cluster.adminKubeconfig);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: admin.clusters.map((entry) => ({ ...entry, server: proxy?.url ?? '' })),
      users: admin.users,
      contexts: admin.contexts,
      currentContext: admin.currentContext,
    });
    kube = new KubernetesCluster({ kubeConfig, source: 'admin kubeconfig through a cutting proxy', removeTimeoutMs: 30_000, onWatchError: (error) => watchErrors.push(error) });
    stopWatching = kube.watchNodes(snapshots.listener);
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    stopWatching?.();
    await kube?.close().catch((error: unknown) => problems.push(error));
    await proxy?.close().catch((error: unknown) => problems.push(error));
    try {
      sim?.stop();
    } catch (error) {
      problems.push(error);
    }
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('resumes the watch after a cut: a cordon, a whole reboot, pending marks and a deleted node made meanwhile all arrive', async ({ annotate }) => {
    const { cluster: c, sim: nodes, proxy: p, kube: port } = started();
    await bareNode('node-d');
    await snapshots.waitFor('4 Ready nodes', 30_000, () => {
      const latest = snapshots.all.at(-1)?.nodes;
      return latest?.length === 4 && latest.every((node) => node.ready) ? true : undefined;
    });
    const bBefore = snapshots.latest('node-b');
    if (bBefore === undefined) throw new Error('no node-b');

    let newBoot = '';
    const cut = await cutWhile(async () => {
      await c.admin.patch('/api/v1/nodes/node-a', { spec: { unschedulable: true } });
      // a whole reboot while the adapter cannot see: NotReady, a new bootID, Ready again
      await nodes.down('node-b');
      newBoot = await nodes.up('node-b');
      await c.admin.patch('/api/v1/nodes/node-c', pendingMarks);
      await c.admin.delete('/api/v1/nodes/node-d');
    });

    const back = await snapshots.waitFor('every change made during the cut', 30_000, () => {
      const a = snapshots.latest('node-a');
      const b = snapshots.latest('node-b');
      const cNode = snapshots.latest('node-c');
      const all = a?.unschedulable === true && b?.ready === true && b.bootId === newBoot && cNode?.pendingReboot !== undefined && !snapshots.names().includes('node-d');
      return all ? performance.now() : undefined;
    });
    await annotate(`cut ${cut.cutMs.toFixed(0)} ms; restore -> every change seen ${(back - cut.restoredAt).toFixed(0)} ms (resumed watch); ${cut.errors.length} failures told`, 'latency');

    // nothing of it was seen before the adapter was let back: the cut was real
    for (const observed of snapshots.all.slice(0, cut.snapshotsAtRestore)) {
      expect(observed.nodes.find((node) => node.name === 'node-a')?.unschedulable).toBe(false);
      expect(observed.nodes.find((node) => node.name === 'node-b')?.bootId).toBe(bBefore.bootId);
    }
    expect(snapshots.latest('node-a')).toMatchObject({ ready: true, unschedulable: true, pendingReboot: undefined });
    expect(snapshots.latest('node-c')?.pendingReboot).toEqual({ since: new Date('2026-03-07T20:00:00Z'), packages: ['linux-image-6.1.0-28-amd64'] });
    expect(snapshots.names()).toEqual(['node-a', 'node-b', 'node-c']);

    // the engine sees node-b's reboot: a new bootID, although the adapter never saw it NotReady
    const bAfter = snapshots.latest('node-b');
    if (bAfter === undefined) throw new Error('no node-b');
    expect(bAfter.bootId).not.toBe(bBefore.bootId);
    // (the engine's progress of node-b, begun from what it saw before the cut, takes the new boot for its reboot)
    expect(observeNode(initialProgress(bBefore), bAfter, NO_LOCK, new Date(), { notBackAfterMs: 600_000 }).state).toBe('done');

    // failures were told, not swallowed: each an Error keeping its cause (the cut watch, the refused reconnect)
    expect(cut.errors.length).toBeGreaterThan(1);
    for (const error of cut.errors) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).cause, errorText(error)).toBeInstanceOf(Error);
    }
    expect(cut.errors.some(isRefusal), cut.errors.map(errorText).join('\n')).toBe(true);

    // the way back: the node watch resumed from the resourceVersion it had, no relist needed
    const after = p.requests.slice(cut.requestsAtRestore).filter(isNodes).map(parsed);
    expect(after.some((request) => request.watch && request.resourceVersion !== undefined && request.resourceVersion !== '')).toBe(true);
    expect(after.filter((request) => !request.watch)).toEqual([]);
    await answersLikeTheWatch(port, snapshots);
  });

  it('relists when the resumed watch answers 410 Gone (etcd compacted during the cut): changes, a node deleted and one created all arrive', async ({ annotate }) => {
    const { cluster: c, sim: nodes, proxy: p, kube: port } = started();
    await bareNode('node-e');
    await snapshots.waitFor('node-e listed', 30_000, () => (snapshots.latest('node-e')?.ready === true ? true : undefined));
    const bBefore = snapshots.latest('node-b');
    if (bBefore === undefined) throw new Error('no node-b');

    let newBoot = '';
    let compactedAt = 0;
    const cut = await cutWhile(async () => {
      await c.admin.patch('/api/v1/nodes/node-a', { spec: { unschedulable: false } });
      await nodes.down('node-b');
      newBoot = await nodes.up('node-b');
      await c.admin.patch('/api/v1/nodes/node-c', pendingCleared);
      await c.admin.delete('/api/v1/nodes/node-e');
      await bareNode('node-f');
      // the history the adapter would resume from is gone
      compactedAt = await compactEtcd(c.etcdUrl);
    });

    const back = await snapshots.waitFor('every change made during the cut', 30_000, () => {
      const a = snapshots.latest('node-a');
      const b = snapshots.latest('node-b');
      const cNode = snapshots.latest('node-c');
      const names = snapshots.names();
      const all = a?.unschedulable === false && b?.ready === true && b.bootId === newBoot && cNode !== undefined && cNode.pendingReboot === undefined && !names.includes('node-e') && names.includes('node-f');
      return all ? performance.now() : undefined;
    });
    expect(snapshots.names()).toEqual(['node-a', 'node-b', 'node-c', 'node-f']);
    expect(snapshots.latest('node-f')).toMatchObject({ ready: true, bootId: 'boot-node-f' });
    expect(snapshots.latest('node-c')?.labels[REBOOT_REQUIRED_LABEL]).toBeUndefined();
    expect(snapshots.latest('node-b')?.bootId).not.toBe(bBefore.bootId);

    // the way back: a watch from a resourceVersion older than the compaction, then a full list
    const after = p.requests.slice(cut.requestsAtRestore).filter(isNodes);
    const resumed = after.findIndex((request) => {
      const query = parsed(request);
      return query.watch && Number(query.resourceVersion) > 0 && Number(query.resourceVersion) < compactedAt;
    });
    expect(resumed, JSON.stringify(after)).toBeGreaterThanOrEqual(0);
    const relist = after.slice(resumed + 1).find((request) => !parsed(request).watch);
    expect(relist, JSON.stringify(after)).toMatchObject({ status: 200 });
    await annotate(
      `cut ${cut.cutMs.toFixed(0)} ms; restore -> every change seen ${(back - cut.restoredAt).toFixed(0)} ms (resumed watch answered HTTP ${String(after[resumed]?.status)}, then relisted); ${cut.errors.length} failures told`,
      'latency',
    );
    expect(cut.errors.length).toBeGreaterThan(0);
    await answersLikeTheWatch(port, snapshots);
  });

  it("ends a drain whose node rebooted during the cut, and does not take it up again when kured's lock reads again after the nodes", async () => {
    const { cluster: c, sim: nodes, proxy: p, kube: port } = started();
    await port.deployRebootDaemon({
      windowId: 1,
      start: new Date('2026-03-07T21:00:00Z'),
      end: new Date('2026-03-08T01:00:00Z'),
      zone: 'Europe/Zurich',
      concurrency: 1,
      nodeSelector: undefined,
    });
    // kured holds the lock for node-b and has cordoned it: a drain, followed by a pod watch on node-b
    await c.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: '{"nodeID":"node-b","metadata":{"unschedulable":false},"created":"2026-03-07T21:01:00Z","TTL":0}' } } });
    await c.admin.patch('/api/v1/nodes/node-b', { spec: { unschedulable: true } });
    await snapshots.waitFor('node-b draining', 30_000, () => (snapshots.latest('node-b')?.drain !== undefined ? true : undefined));
    expect(snapshots.latest('node-b')?.drain).toEqual({ podsLeft: 0, blockedBy: undefined });
    expect(p.requests.some((request) => isPodsOf('node-b')(request) && request.open)).toBe(true);
    const bBefore = snapshots.latest('node-b')?.bootId;

    // node-b reboots during the cut (kured still holds the lock and has not uncordoned it yet);
    // the nodes come back first, kured's DaemonSet stays refused
    let newBoot = '';
    const cut = await cutWhile(async () => {
      await nodes.down('node-b');
      newBoot = await nodes.up('node-b');
    }, isKuredDaemonSets);
    await snapshots.waitFor("node-b's reboot seen, its drain over", 30_000, () => {
      const b = snapshots.latest('node-b');
      return b?.bootId === newBoot && b.ready && b.drain === undefined ? true : undefined;
    });
    expect(newBoot).not.toBe(bBefore);
    await until("kured's DaemonSet refused after the nodes came back", 15_000, () => p.requests.slice(cut.requestsAtRestore).some((request) => isKuredDaemonSets(request) && request.refused));

    // kured's lock readable again: it still names node-b, which is cordoned, Ready - and rebooted
    const lockBackFrom = p.requests.length;
    p.restore();
    await until("kured's DaemonSet watched again", 30_000, () =>
      p.requests.slice(lockBackFrom).some((request) => isKuredDaemonSets(request) && parsed(request).watch && request.status === 200 && request.open),
    );
    // two node changes after that, each seen: the tracker has looked at node-b with the lock known
    for (const mark of ['1', '2']) {
      await c.admin.patch('/api/v1/nodes/node-a', { metadata: { labels: { 'patchwindow.test/mark': mark } } });
      await snapshots.waitFor(`mark ${mark} seen`, 15_000, () => (snapshots.latest('node-a')?.labels['patchwindow.test/mark'] === mark ? true : undefined));
    }
    expect(snapshots.latest('node-b')).toMatchObject({ ready: true, unschedulable: true, bootId: newBoot, drain: undefined });
    // no drain session is left following node-b, none was begun again
    expect(p.requests.filter((request) => isPodsOf('node-b')(request) && request.open)).toEqual([]);
    expect(p.requests.slice(lockBackFrom).filter(isPodsOf('node-b'))).toEqual([]);

    await port.removeRebootDaemon();
    await c.admin.patch('/api/v1/nodes/node-b', { spec: { unschedulable: false } });
  });
});
