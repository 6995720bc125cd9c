// Drain progress from the API, on a real API server: the bot's kured manifests bring kured pods
// onto the simulated nodes (the harness plays the DaemonSet controller and the kubelet, whose log
// endpoint serves each kured's output), kured drains a node that runs two pods of a workload
// whose PodDisruptionBudget allows one disruption, and KubernetesCluster.watchNodes reports that
// drain: the pods left going down to 0, the budget's refusal named, then cleared - read from the
// pods on the node and kured's pod log, followed through kube-apiserver's pods/log.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import type { DrainProgress, NodeSnapshot } from '../../bot/core/ports/cluster-port.ts';
import type { PodDisruptionBudget } from './harness/kube-types.ts';
import { isNodeReady, isPodReady } from './harness/kube-types.ts';
import { kuredMode, startKuredTier } from './harness/kured-tier.ts';
import type { KuredTier } from './harness/kured-tier.ts';
import { createObjects, namespaceObject, workloadObjects } from './harness/objects.ts';

const NODES = ['node-1', 'node-2', 'node-3'];
const SHOP = 'shop';
const mode = kuredMode();

interface Observation {
  readonly at: number;
  readonly ready: boolean;
  readonly unschedulable: boolean;
  readonly drain: DrainProgress | undefined;
}

describe.skipIf(mode === 'missing')(`drain progress from the API (${mode === 'standin' ? 'kured STAND-IN, not kured' : 'real kured'})`, () => {
  let tier: KuredTier | undefined;
  let kube: KubernetesCluster | undefined;
  const watchErrors: unknown[] = [];
  let failed = false;

  beforeAll(async () => {
    tier = await startKuredTier({ nodes: NODES, periodSeconds: 1 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(tier.cluster.adminKubeconfig);
    kube = new KubernetesCluster({ kubeConfig, source: 'test admin kubeconfig', removeTimeoutMs: 30_000, onWatchError: (error) => watchErrors.push(error) });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    await kube?.close().catch((error: unknown) => problems.push(error));
    await tier?.stop(failed || problems.length > 0).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'teardown failed');
  });

  it('reports a drain through watchNodes: pods left going down, the PodDisruptionBudget refusal, then cleared', async () => {
    if (tier === undefined || kube === undefined) throw new Error('not started');
    const { cluster, nodes, daemons, kuredPods, logServer } = tier;
    const port = kube;
    const { admin } = cluster;

    // four pods over three nodes, a budget that allows one disruption
    await nodes.nodeInformer.waitFor('3 Ready nodes', (items) => (items.filter(isNodeReady).length === 3 ? true : undefined), 30_000);
    await createObjects(admin, [namespaceObject(SHOP), ...workloadObjects({ namespace: SHOP, name: 'web', replicas: 4, minAvailable: 3 })]);
    const placed = await nodes.podInformer.waitFor(
      '4 web pods Running on 3 nodes',
      (pods) => {
        const ready = pods.filter((pod) => pod.metadata.namespace === SHOP && isPodReady(pod));
        return ready.length === 4 && new Set(ready.map((pod) => pod.spec.nodeName)).size === 3 ? ready : undefined;
      },
      60_000,
    );
    const budgets = admin.informer<PodDisruptionBudget>(`/apis/policy/v1/namespaces/${SHOP}/poddisruptionbudgets`);
    await budgets
      .waitFor('PDB web allows 1 disruption', (items) => (items[0]?.status?.disruptionsAllowed === 1 ? true : undefined), 60_000)
      .finally(() => {
        budgets.stop();
      });
    const perNode = new Map<string, number>();
    for (const pod of placed) perNode.set(pod.spec.nodeName ?? '', (perNode.get(pod.spec.nodeName ?? '') ?? 0) + 1);
    const crowded = [...perNode].find(([, count]) => count === 2)?.[0];
    if (crowded === undefined) throw new Error(`expected one node with two pods: ${JSON.stringify([...perNode])}`);

    // the bot's kured: pods on every node, each running its kured
    await port.deployRebootDaemon({
      windowId: 1,
      start: new Date(Date.now() - 60_000),
      end: new Date(Date.now() + 3_600_000),
      zone: 'UTC',
      concurrency: 1,
      nodeSelector: undefined,
    });
    await nodes.podInformer.waitFor(
      'a Running kured pod on every node',
      (pods) => (NODES.every((node) => pods.some((pod) => pod.metadata.namespace === 'kured' && pod.spec.nodeName === node && isPodReady(pod))) ? true : undefined),
      60_000,
    );
    for (const node of NODES) await daemons.waitForLog(node, /Starting kured|Starting Kubernetes Reboot Daemon/, 30_000);

    const seen: Observation[] = [];
    const stop = port.watchNodes((list: readonly NodeSnapshot[]) => {
      const node = list.find((candidate) => candidate.name === crowded);
      if (node !== undefined) seen.push({ at: Date.now(), ready: node.ready, unschedulable: node.unschedulable, drain: node.drain });
    });
    const bootBefore = nodes.state(crowded).bootID;
    try {
      daemons.touchSentinel(crowded);
      await nodes.nodeInformer.waitFor(
        `${crowded} rebooted, Ready and uncordoned`,
        (items) => {
          const node = items.find((candidate) => candidate.metadata.name === crowded);
          return node !== undefined && isNodeReady(node) && node.spec?.unschedulable !== true && node.status?.nodeInfo?.bootID !== bootBefore ? true : undefined;
        },
        90_000,
      );
      // the snapshots catch up with the uncordon
      const deadline = Date.now() + 10_000;
      while (seen.at(-1)?.unschedulable !== false || seen.at(-1)?.drain !== undefined) {
        if (Date.now() > deadline) throw new Error(`no final snapshot of ${crowded}: ${JSON.stringify(seen.at(-1))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      stop();
    }

    const draining = seen.filter((observation) => observation.drain !== undefined);
    const story = JSON.stringify(seen.map((observation) => [observation.ready, observation.unschedulable, observation.drain]));
    // reported only while the node is cordoned and up
    expect(draining.every((observation) => observation.unschedulable && observation.ready), story).toBe(true);
    // pods left: never up again, from at least one down to none
    const left = draining.map((observation) => observation.drain?.podsLeft ?? -1);
    expect(left.length, story).toBeGreaterThan(1);
    for (let index = 1; index < left.length; index++) expect(left[index], story).toBeLessThanOrEqual(left[index - 1] ?? Infinity);
    expect(left[0], story).toBeGreaterThanOrEqual(1);
    expect(left.at(-1), story).toBe(0);
    // the budget's refusal, named, then cleared while the drain goes on
    const blocked = draining.findIndex((observation) => observation.drain?.blockedBy === `PodDisruptionBudget ${SHOP}/web`);
    expect(blocked, story).toBeGreaterThanOrEqual(0);
    expect(draining[blocked]?.drain?.podsLeft, story).toBeGreaterThanOrEqual(1);
    expect(draining.slice(blocked + 1).some((observation) => observation.drain?.blockedBy === undefined), story).toBe(true);
    expect(draining.every((observation) => [undefined, `PodDisruptionBudget ${SHOP}/web`].includes(observation.drain?.blockedBy)), story).toBe(true);
    // after the drain: the reboot (NotReady) with no drain reported
    const lastDraining = draining.at(-1);
    const rebootAt = seen.findIndex((observation) => !observation.ready);
    expect(rebootAt, story).toBeGreaterThan(lastDraining === undefined ? -1 : seen.indexOf(lastDraining));

    // it was kured's pod log, through the API server and the node's kubelet endpoint
    const kuredPod = kuredPods.podOn(crowded)?.metadata.name;
    expect(logServer.requests.some((request) => request.startsWith(`/containerLogs/kured/${kuredPod ?? '?'}/kured?`) && request.includes('follow=true')), logServer.requests.join('\n')).toBe(true);
    expect(watchErrors.map(String)).toEqual([]);

    // kured removed: its pods and processes go, and nothing follows a log any more
    await port.removeRebootDaemon();
    await nodes.podInformer.waitFor('no kured pods', (pods) => (pods.some((pod) => pod.metadata.namespace === 'kured') ? undefined : true), 30_000);
    const gone = Date.now() + 10_000;
    while (NODES.some((node) => daemons.current(node) !== undefined) || logServer.openStreams() > 0) {
      if (Date.now() > gone) throw new Error(`kured processes or log streams left: ${NODES.filter((node) => daemons.current(node) !== undefined).join(', ')}; ${logServer.openStreams()} streams`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
