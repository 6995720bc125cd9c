// Proves the cluster harness without kured: a real control plane, simulated kubelets, PDB status
// from kube-controller-manager, and the node sandbox that gives a kured-like process in-cluster
// config, its own /var/run sentinel and `nsenter -m/proc/1/ns/mnt` for the reboot command, with
// the harness carrying out the "reboot" (NotReady, new bootID, Ready, daemon restarted).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { KubeApiError } from './harness/kube.ts';
import type { DaemonSet, Lease, Pod, PodDisruptionBudget } from './harness/kube-types.ts';
import { isNodeReady, isPodReady } from './harness/kube-types.ts';
import { startNodeDaemons } from './harness/node-daemons.ts';
import type { DaemonSpec, NodeDaemons } from './harness/node-daemons.ts';
import { startSimulatedNodes } from './harness/nodes.ts';
import type { SimulatedNodes } from './harness/nodes.ts';
import { createObjects, kuredObjects, namespaceObject, workloadObjects } from './harness/objects.ts';

const NODES = ['node-1', 'node-2', 'node-3'];
const NS = 'harness';

// A stand-in for kured that only exercises the sandbox: it talks to the API with the in-cluster
// config (kubectl falls back to it when there is no kubeconfig), waits for the sentinel and runs
// the reboot command the way kured does.
const PROBE = `#!/bin/sh
set -u
kubectl="$1"; reboot="$2"
echo "probe: started as pid $$"
echo "probe: whoami $("$kubectl" auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)"
echo "probe: lock object $("$kubectl" get daemonset kured -n kube-system -o jsonpath='{.metadata.name}' 2>&1)"
echo "probe: can update lock $("$kubectl" auth can-i update daemonsets.apps/kured -n kube-system 2>&1)"
echo "probe: can create deployments $("$kubectl" auth can-i create deployments.apps -n default 2>&1)"
echo "probe: ready"
while [ ! -f /var/run/reboot-required ]; do sleep 0.1; done
echo "probe: sentinel seen, running the reboot command"
/usr/bin/nsenter -m/proc/1/ns/mnt -- "$reboot" && echo "probe: reboot command done"
while :; do sleep 60; done
`;

describe('cluster harness', () => {
  let cluster: TestCluster | undefined;
  let nodes: SimulatedNodes | undefined;
  let daemons: NodeDaemons | undefined;
  let failed = false;

  const started = (): { cluster: TestCluster; nodes: SimulatedNodes } => {
    if (cluster === undefined || nodes === undefined) throw new Error('cluster not started');
    return { cluster, nodes };
  };

  beforeAll(async () => {
    cluster = await startCluster();
    nodes = await startSimulatedNodes(cluster.admin, { names: NODES, heartbeatMs: 3000 });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    await daemons?.stop().catch((error: unknown) => problems.push(error));
    try {
      nodes?.stop();
    } catch (error) {
      problems.push(error);
    }
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('registers simulated nodes that are Ready, heartbeat and carry a bootID', async () => {
    const { cluster, nodes } = started();
    const ready = await nodes.nodeInformer.waitFor(
      'all nodes Ready',
      (items) => (items.length === NODES.length && items.every(isNodeReady) ? items : undefined),
      30_000,
    );
    expect(ready.map((node) => node.status?.nodeInfo?.bootID)).toEqual(NODES.map((name) => nodes.state(name).bootID));
    const leases = await cluster.admin.get<{ items: Lease[] }>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    expect(leases.items.map((lease) => lease.metadata.name).sort()).toEqual(NODES);
    const { stdout } = await cluster.kubectl(['get', 'nodes', '-o', 'name']);
    expect(stdout.trim().split('\n')).toEqual(NODES.map((name) => `node/${name}`));
  });

  it('schedules and runs a Deployment over the nodes, and kube-controller-manager keeps the PDB status', async () => {
    const { cluster, nodes } = started();
    await createObjects(cluster.admin, [
      namespaceObject(NS),
      ...workloadObjects({ namespace: NS, name: 'web', replicas: 4, minAvailable: 3 }),
      ...workloadObjects({ namespace: NS, name: 'single', replicas: 1, minAvailable: 1 }),
    ]);
    const running = await nodes.podInformer.waitFor(
      '5 pods Running in the harness namespace',
      (pods) => {
        const ours = pods.filter((pod) => pod.metadata.namespace === NS && isPodReady(pod));
        return ours.length === 5 ? ours : undefined;
      },
      60_000,
    );
    const web = running.filter((pod) => pod.metadata.labels?.['app'] === 'web');
    expect(new Set(web.map((pod) => pod.spec.nodeName)).size).toBe(3);

    const pdbs = cluster.admin.informer<PodDisruptionBudget>(`/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`);
    try {
      await pdbs.waitFor(
        'PDB status from the disruption controller',
        (items) => {
          const byName = new Map(items.map((pdb) => [pdb.metadata.name, pdb.status]));
          return byName.get('web')?.disruptionsAllowed === 1 && byName.get('web')?.currentHealthy === 4 && byName.get('single')?.currentHealthy === 1
            ? true
            : undefined;
        },
        60_000,
      );
      expect(pdbs.get(`${NS}/single`)?.status?.disruptionsAllowed).toBe(0);
    } finally {
      pdbs.stop();
    }

    // an eviction the budget forbids is refused the way kured's drain sees it
    const single = running.find((pod) => pod.metadata.labels?.['app'] === 'single');
    if (single === undefined) throw new Error('no pod of "single"');
    const evict = (pod: Pod): Promise<unknown> =>
      cluster.admin.create(`/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: pod.metadata.name, namespace: NS },
      });
    const refusal = await evict(single).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(KubeApiError);
    expect((refusal as KubeApiError).status).toBe(429);
    expect((refusal as KubeApiError).body).toContain('disruption budget');

    // an allowed eviction ends with the pod gone (the simulated kubelet finalises it) and replaced
    const victim = web[0];
    if (victim === undefined) throw new Error('no pod of "web"');
    await evict(victim);
    await nodes.podInformer.waitFor(
      'evicted pod deleted and replaced',
      (pods) => {
        const webPods = pods.filter((pod) => pod.metadata.namespace === NS && pod.metadata.labels?.['app'] === 'web');
        return !webPods.some((pod) => pod.metadata.uid === victim.metadata.uid) && webPods.filter(isPodReady).length === 4 ? true : undefined;
      },
      60_000,
    );
  });

  it('gives a daemon in a node sandbox in-cluster config, its sentinel and nsenter, and reboots its node', async () => {
    const { cluster, nodes } = started();
    await createObjects(cluster.admin, kuredObjects());
    const probeScript = path.join(cluster.dir, 'probe.sh');
    writeFileSync(probeScript, PROBE, { mode: 0o755 });
    const kubectl = cluster.tools.path('kubectl');
    const probe: DaemonSpec = { name: 'probe', argv: ({ sandbox }) => ['/bin/sh', probeScript, kubectl, sandbox.rebootCommand] };
    daemons = await startNodeDaemons({ cluster, nodes, daemon: probe, rebootDowntimeMs: 500 });

    for (const node of NODES) await daemons.waitForLog(node, /^probe: ready$/, 60_000);
    const log = daemons.log('node-2');
    expect(log).toContain('probe: started as pid 1'); // PID 1 of its own PID namespace
    expect(log).toContain('probe: whoami system:serviceaccount:kube-system:kured');
    expect(log).toContain('probe: lock object kured');
    expect(log).toContain('probe: can update lock yes');
    expect(log).toContain('probe: can create deployments no'); // RBAC is enforced

    const bootBefore = nodes.state('node-2').bootID;
    const ds = await cluster.admin.get<DaemonSet>('/apis/apps/v1/namespaces/kube-system/daemonsets/kured');
    expect(ds.metadata.name).toBe('kured');
    daemons.touchSentinel('node-2');
    await daemons.waitForLog('node-2', /^probe: reboot command done$/, 30_000);
    // the harness reboots node-2: NotReady, then Ready with a new bootID, then the daemon again
    await nodes.nodeInformer.waitFor(
      'node-2 back with a new bootID',
      (items) => {
        const node = items.find((n) => n.metadata.name === 'node-2');
        return node !== undefined && isNodeReady(node) && node.status?.nodeInfo?.bootID !== bootBefore ? node : undefined;
      },
      30_000,
    );
    await daemons.waitForLog('node-2', /^probe: ready$/, 30_000, 2);
    expect(daemons.reboots.map((reboot) => reboot.node)).toEqual(['node-2']);
    const [reboot] = daemons.reboots;
    expect(reboot?.oldBootID).toBe(bootBefore);
    expect(reboot?.newBootID).toBe(nodes.state('node-2').bootID);
    expect(daemons.sentinelExists('node-2')).toBe(false);
    expect(daemons.log('node-2').match(/^probe: started as pid 1$/gm)).toHaveLength(2);
    expect(daemons.log('node-1').match(/^probe: started as pid 1$/gm)).toHaveLength(1);
  });
});
