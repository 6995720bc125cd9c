// The node agent against a real control plane (issue 6, cluster tier): one `patchwindow agent`
// process per simulated node, authenticated as the agent's ServiceAccount with exactly the RBAC
// of manifests/agent/base, each watching its own sentinel directory. Every wait is on Node state
// observed through a watch, with a deadline. Measured (test-results/cluster/agent-latency.json):
// detection latency (sentinel created -> the watch shows the annotation) over 100 touches, and
// the agent process's RSS and idle CPU.
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_VERSION_ANNOTATION,
  LAST_SCAN_ANNOTATION,
  REBOOT_REQUIRED_ANNOTATION,
  REBOOT_REQUIRED_CONDITION,
  REBOOT_REQUIRED_LABEL,
  REBOOT_REQUIRED_PACKAGES_ANNOTATION,
  REBOOT_REQUIRED_SINCE_ANNOTATION,
  rfc3339,
} from '../../agent/core/node-contract.ts';
import { HttpsNodeApi } from '../../agent/adapters/https-node-api.ts';
import { loadApiServerConnection } from '../../agent/adapters/load-api-server-connection.ts';
import { NodeApiError } from '../../agent/ports/node-api.ts';
import { VERSION } from '../../bot/version.ts';
import {
  AGENT_NAMESPACE,
  AGENT_SERVICE_ACCOUNT,
  agentAccessManifests,
  cpuPercent,
  recordResults,
  sampleProcess,
  startAgentProcess,
  summarize,
  writeTokenKubeconfig,
} from './harness/agent.ts';
import type { AgentProcess, Summary } from './harness/agent.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { KubeApiError, kubeClient } from './harness/kube.ts';
import type { KubeClient } from './harness/kube.ts';
import type { Condition, Node } from './harness/kube-types.ts';
import { conditionOf, isNodeReady } from './harness/kube-types.ts';
import { startSimulatedNodes } from './harness/nodes.ts';
import type { SimulatedNodes } from './harness/nodes.ts';
import { createObjects } from './harness/objects.ts';
import { REPO_ROOT } from './harness/tools.ts';

const NODES = ['node-1', 'node-2', 'node-3'] as const;
type NodeName = (typeof NODES)[number];
/** node-3's agent heartbeats every 5 s (the heartbeat tests); the others keep the default 30 min. */
const HEARTBEAT_NODE: NodeName = 'node-3';
const HEARTBEAT_INTERVAL = '5s';
const RESULTS_FILE = path.join(REPO_ROOT, 'test-results', 'cluster', 'agent-latency.json');
const LATENCY_TOUCHES = 100;
const IDLE_WINDOW_MS = 10_000;
/** The bound for one touch to be on the Node; everything else here is only measured. */
const TOUCH_BOUND_MS = 1000;
/** Deadline for any one observed state: far above the expected latency, only to fail rather than hang. */
const OBSERVE_MS = 30_000;
const KUBELET_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'];
const PACKAGES = ['linux-image-6.1.0-31-amd64', 'libc6:amd64', 'openssl'];

interface ManagedField {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
}
type ObservedNode = Node & { metadata: Node['metadata'] & { managedFields?: ManagedField[] } };

/** Everything the agent owns on a Node: the patchwindow.dev/ annotations and label, its condition. */
interface AgentView {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  condition: Condition | undefined;
}

function agentView(node: Node): AgentView {
  const owned = (entries: Record<string, string> | undefined, skip: readonly string[] = []): Record<string, string> =>
    Object.fromEntries(Object.entries(entries ?? {}).filter(([key]) => key.startsWith('patchwindow.dev/') && !skip.includes(key)));
  return {
    annotations: owned(node.metadata.annotations, ['patchwindow.dev/simulated-node']),
    labels: owned(node.metadata.labels),
    condition: conditionOf(node, REBOOT_REQUIRED_CONDITION),
  };
}

/** The agent's complete report of `pending` (annotation, label and condition) is on the Node. */
function reports(node: Node, pending: boolean): boolean {
  const view = agentView(node);
  return (
    view.annotations[REBOOT_REQUIRED_ANNOTATION] === String(pending) &&
    view.labels[REBOOT_REQUIRED_LABEL] === (pending ? 'true' : undefined) &&
    view.condition?.status === (pending ? 'True' : 'False') &&
    view.condition.reason === 'SentinelFile'
  );
}

function withoutLastScan(view: AgentView): AgentView {
  const annotations = Object.fromEntries(Object.entries(view.annotations).filter(([key]) => key !== LAST_SCAN_ANNOTATION));
  return { ...view, annotations };
}

describe('node agent on a real control plane', () => {
  let cluster: TestCluster | undefined;
  let nodes: SimulatedNodes | undefined;
  let agentApi: KubeClient | undefined;
  const agents = new Map<NodeName, AgentProcess>();
  let failed = false;

  const ctx = (): { cluster: TestCluster; nodes: SimulatedNodes; agentApi: KubeClient } => {
    if (cluster === undefined || nodes === undefined || agentApi === undefined) throw new Error('cluster not started');
    return { cluster, nodes, agentApi };
  };
  const agent = (node: NodeName): AgentProcess => {
    const found = agents.get(node);
    if (found === undefined) throw new Error(`no agent on ${node}`);
    return found;
  };
  const nodeNow = (node: NodeName): ObservedNode => {
    const found = ctx().nodes.nodeInformer.get(node);
    if (found === undefined) throw new Error(`${node} is not in the node informer`);
    return found;
  };
  /**
   * Resolves once the watch shows `node` matching `predicate`, with the instant (performance.now())
   * the event that made it match arrived. Registered before the caller acts, so the instant is the
   * event's, not the check's.
   */
  const observe = (node: NodeName, description: string, predicate: (n: ObservedNode) => boolean): Promise<{ node: ObservedNode; at: number }> => {
    const observed = ctx().nodes.nodeInformer.waitFor(
      `${node}: ${description}`,
      (items) => {
        const found = items.find((candidate) => candidate.metadata.name === node);
        return found !== undefined && predicate(found) ? { node: found, at: performance.now() } : undefined;
      },
      OBSERVE_MS,
    );
    // a test that fails before awaiting this one must not leave an unhandled rejection behind
    observed.catch(() => undefined);
    return observed;
  };

  beforeAll(async () => {
    rmSync(RESULTS_FILE, { force: true });
    cluster = await startCluster();
    nodes = await startSimulatedNodes(cluster.admin, { names: NODES, heartbeatMs: 3000 });
    // the agent's Namespace, ServiceAccount, ClusterRole and ClusterRoleBinding, from the manifests
    await createObjects(cluster.admin, agentAccessManifests());
    const token = await cluster.serviceAccountToken(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, 3 * 3600);
    agentApi = kubeClient({ server: cluster.server, ca: cluster.caPem, token });
    const kubeconfig = path.join(cluster.dir, 'patchwindow-agent.kubeconfig');
    writeTokenKubeconfig(kubeconfig, cluster, AGENT_SERVICE_ACCOUNT, token);
    const testCluster = cluster;
    const started = await Promise.allSettled(
      NODES.map(async (node) => {
        const env = node === HEARTBEAT_NODE ? { PATCHWINDOW_AGENT_HEARTBEAT_INTERVAL: HEARTBEAT_INTERVAL } : {};
        agents.set(node, await startAgentProcess({ cluster: testCluster, node, kubeconfig, env }));
      }),
    );
    const problems = started.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (problems.length > 0) throw new AggregateError(problems, 'agents did not start');
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    // the agents first (SIGTERM, then SIGKILL after 15 s): cluster.stop() would stop them too
    await Promise.all([...agents.values()].map((running) => running.stop(15_000).catch((error: unknown) => problems.push(error))));
    agentApi?.close();
    try {
      nodes?.stop();
    } catch (error) {
      problems.push(error);
    }
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('runs as the agent ServiceAccount and reports every node as not pending, keeping the kubelet conditions', async () => {
    const { agentApi } = ctx();
    const review = await agentApi.create<{ status: { userInfo: { username: string } } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(review.status.userInfo.username).toBe(`system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_SERVICE_ACCOUNT}`);

    for (const node of NODES) {
      const { node: observed } = await observe(node, 'the agent reports not pending', (n) => reports(n, false));
      const view = agentView(observed);
      expect(view.annotations[AGENT_VERSION_ANNOTATION]).toBe(VERSION);
      expect(view.annotations[LAST_SCAN_ANNOTATION]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(view.annotations).not.toHaveProperty(REBOOT_REQUIRED_SINCE_ANNOTATION);
      expect(view.annotations).not.toHaveProperty(REBOOT_REQUIRED_PACKAGES_ANNOTATION);
      expect(view.labels).toEqual({});
      expect(view.condition?.message).toBe(`no reboot required: ${agent(node).sentinelFile} is absent`);
      // the kubelet's conditions are still there, Ready still True
      expect(observed.status?.conditions?.map((condition) => condition.type).sort()).toEqual([...KUBELET_CONDITIONS, REBOOT_REQUIRED_CONDITION].sort());
      expect(isNodeReady(observed)).toBe(true);
      // written by the agent's field manager, metadata and the status subresource
      const writes = (observed.metadata.managedFields ?? []).filter((field) => field.manager === 'patchwindow-agent');
      expect(writes.map((field) => field.subresource ?? '').sort()).toEqual(['', 'status']);

      const health = await agent(node).http('/healthz');
      expect({ status: health.status, body: health.body.trim() }).toEqual({ status: 200, body: 'ok' });
    }
  });

  it('touching a sentinel and its .pkgs file marks the right node pending (annotations, label, condition) in under 1 s', async ({ annotate }) => {
    const node2 = agent('node-2');
    for (const node of NODES) await observe(node, 'the agent reports not pending', (n) => reports(n, false));
    const before = { 'node-1': agentView(nodeNow('node-1')), 'node-3': withoutLastScan(agentView(nodeNow('node-3'))) };

    const annotated = observe('node-2', 'reboot-required annotation true', (n) => n.metadata.annotations?.[REBOOT_REQUIRED_ANNOTATION] === 'true');
    const complete = observe('node-2', 'the complete pending report', (n) => reports(n, true));
    const touchedAt = performance.now();
    node2.touch(PACKAGES);
    const first = await annotated;
    const done = await complete;
    const annotationMs = first.at - touchedAt;
    const completeMs = done.at - touchedAt;
    recordResults(RESULTS_FILE, { singleTouch: { node: 'node-2', annotationMs: Math.round(annotationMs), completeReportMs: Math.round(completeMs) } });
    await annotate(`sentinel created -> annotation ${annotationMs.toFixed(0)} ms, complete report ${completeMs.toFixed(0)} ms`, 'latency');
    expect(
      completeMs,
      `the node-2 report (annotations, label and condition) took ${completeMs.toFixed(0)} ms after the sentinel was created (annotation after ${annotationMs.toFixed(0)} ms); the issue asks for under ${TOUCH_BOUND_MS} ms`,
    ).toBeLessThan(TOUCH_BOUND_MS);

    const view = agentView(done.node);
    const since = rfc3339(statSync(node2.sentinelFile).mtime);
    expect(withoutLastScan(view).annotations).toEqual({
      [REBOOT_REQUIRED_ANNOTATION]: 'true',
      [REBOOT_REQUIRED_SINCE_ANNOTATION]: since,
      [REBOOT_REQUIRED_PACKAGES_ANNOTATION]: PACKAGES.join(','),
      [AGENT_VERSION_ANNOTATION]: VERSION,
    });
    expect(view.annotations[LAST_SCAN_ANNOTATION]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(view.labels).toEqual({ [REBOOT_REQUIRED_LABEL]: 'true' });
    expect(view.condition).toMatchObject({
      status: 'True',
      reason: 'SentinelFile',
      message: `reboot required: ${node2.sentinelFile} exists (packages: ${PACKAGES.join(', ')})`,
      lastTransitionTime: since,
    });
    // the strategic-merge status patch left the simulated kubelet's conditions alone
    expect(done.node.status?.conditions?.map((condition) => condition.type).sort()).toEqual([...KUBELET_CONDITIONS, REBOOT_REQUIRED_CONDITION].sort());
    expect(isNodeReady(done.node)).toBe(true);
    expect(conditionOf(done.node, 'Ready')?.reason).toBe('KubeletReady');

    // the other nodes: untouched (node-1's agent wrote nothing at all; node-3's may have heartbeated)
    expect(agentView(nodeNow('node-1'))).toEqual(before['node-1']);
    expect(withoutLastScan(agentView(nodeNow('node-3')))).toEqual(before['node-3']);
    expect(reports(nodeNow('node-1'), false) && reports(nodeNow('node-3'), false)).toBe(true);
  });

  it('kubectl get -l lists exactly the pending nodes and kubectl describe shows the RebootRequired condition', async () => {
    const { cluster } = ctx();
    const pendingNames = async (): Promise<string[]> => {
      const { stdout } = await cluster.kubectl(['get', 'nodes', '-l', `${REBOOT_REQUIRED_LABEL}=true`, '-o', 'name']);
      return stdout.split('\n').filter((line) => line !== '').sort();
    };
    expect(await pendingNames()).toEqual(['node/node-2']);

    const node3Pending = observe('node-3', 'pending', (n) => reports(n, true));
    agent('node-3').touch();
    await node3Pending;
    expect(await pendingNames()).toEqual(['node/node-2', 'node/node-3']);
    expect(agentView(nodeNow('node-3')).annotations).not.toHaveProperty(REBOOT_REQUIRED_PACKAGES_ANNOTATION); // no .pkgs file

    const { stdout: described } = await cluster.kubectl(['describe', 'node', 'node-2']);
    expect(described).toMatch(/^\s+RebootRequired\s+True\s+.+\s+SentinelFile\s+reboot required: \S+\/reboot-required exists \(packages: linux-image/m);
    expect(described).toMatch(/^\s+Ready\s+True\s+.+\s+KubeletReady\s+/m);
    expect(described).toMatch(new RegExp(`^Labels:(.|\\n)*${REBOOT_REQUIRED_LABEL.replace(/\./g, '\\.')}=true`, 'm'));

    const node3Cleared = observe('node-3', 'cleared', (n) => reports(n, false));
    agent('node-3').clear();
    await node3Cleared;
    expect(await pendingNames()).toEqual(['node/node-2']);
  });

  it('removing the sentinel clears the node: label gone, annotation false, condition False; the kubelet conditions stay', async () => {
    const { cluster } = ctx();
    const node2 = agent('node-2');
    const pendingCondition = conditionOf(nodeNow('node-2'), REBOOT_REQUIRED_CONDITION);
    // lastTransitionTime has one-second resolution: a clear within the second of the pending
    // transition would rightly carry the same time, so clear in a later second.
    const pendingSecond = Date.parse(pendingCondition?.lastTransitionTime ?? '');
    if (Number.isFinite(pendingSecond)) await delay(Math.max(0, pendingSecond + 1000 - Date.now())); // a wall-clock boundary, not a wait for state
    const cleared = observe('node-2', 'cleared', (n) => reports(n, false));
    const removedAt = performance.now();
    node2.clear();
    const done = await cleared;
    recordResults(RESULTS_FILE, { singleClear: { node: 'node-2', completeReportMs: Math.round(done.at - removedAt) } });

    const view = agentView(done.node);
    expect(withoutLastScan(view).annotations).toEqual({ [REBOOT_REQUIRED_ANNOTATION]: 'false', [AGENT_VERSION_ANNOTATION]: VERSION });
    expect(view.annotations[LAST_SCAN_ANNOTATION]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(view.labels).toEqual({});
    expect(view.condition).toMatchObject({ status: 'False', reason: 'SentinelFile', message: `no reboot required: ${node2.sentinelFile} is absent` });
    expect(view.condition?.lastTransitionTime).not.toBe(pendingCondition?.lastTransitionTime);
    expect(done.node.status?.conditions?.map((condition) => condition.type).sort()).toEqual([...KUBELET_CONDITIONS, REBOOT_REQUIRED_CONDITION].sort());
    expect(isNodeReady(done.node)).toBe(true);

    const { stdout } = await cluster.kubectl(['get', 'nodes', '-l', `${REBOOT_REQUIRED_LABEL}=true`, '-o', 'name']);
    expect(stdout.trim()).toBe('');
  });

  it('heartbeat: last-scan advances with nothing else changing', async () => {
    const beats: string[] = [];
    let previous = nodeNow(HEARTBEAT_NODE);
    for (let beat = 0; beat < 2; beat++) {
      const lastScan = agentView(previous).annotations[LAST_SCAN_ANNOTATION] ?? '';
      const { node: next } = await observe(HEARTBEAT_NODE, `last-scan after ${lastScan}`, (n) => {
        const value = n.metadata.annotations?.[LAST_SCAN_ANNOTATION];
        return value !== undefined && Date.parse(value) > Date.parse(lastScan);
      });
      // only last-scan moved: the other annotations, the label and the condition (its times too)
      expect(withoutLastScan(agentView(next))).toEqual(withoutLastScan(agentView(previous)));
      expect(isNodeReady(next)).toBe(true);
      beats.push(agentView(next).annotations[LAST_SCAN_ANNOTATION] ?? '');
      previous = next;
    }
    recordResults(RESULTS_FILE, { heartbeat: { node: HEARTBEAT_NODE, interval: HEARTBEAT_INTERVAL, lastScans: beats } });
  });

  it('heartbeat: puts back within one heartbeat what someone else removed', async () => {
    const { cluster } = ctx();
    const before = withoutLastScan(agentView(nodeNow(HEARTBEAT_NODE)));
    const withoutAnnotations = await cluster.admin.patch<Node>(`/api/v1/nodes/${HEARTBEAT_NODE}`, {
      metadata: { annotations: { [REBOOT_REQUIRED_ANNOTATION]: null, [AGENT_VERSION_ANNOTATION]: null } },
    });
    expect(withoutAnnotations.metadata.annotations).not.toHaveProperty(REBOOT_REQUIRED_ANNOTATION);
    const withoutCondition = await cluster.admin.patch<Node>(
      `/api/v1/nodes/${HEARTBEAT_NODE}/status`,
      { status: { conditions: [{ type: REBOOT_REQUIRED_CONDITION, $patch: 'delete' }] } },
      'strategic',
    );
    expect(conditionOf(withoutCondition, REBOOT_REQUIRED_CONDITION)).toBeUndefined();
    expect(isNodeReady(withoutCondition)).toBe(true);
    // a version of the Node written after the removal, with the whole report back
    const removedAt = Number(withoutCondition.metadata.resourceVersion);
    const { node: repaired } = await observe(
      HEARTBEAT_NODE,
      'the report put back',
      (n) => Number(n.metadata.resourceVersion) > removedAt && reports(n, false) && n.metadata.annotations?.[AGENT_VERSION_ANNOTATION] === VERSION,
    );
    const view = withoutLastScan(agentView(repaired));
    expect(view.annotations).toEqual(before.annotations);
    expect(view.labels).toEqual(before.labels);
    expect(view.condition).toMatchObject({ type: REBOOT_REQUIRED_CONDITION, status: 'False', reason: 'SentinelFile', message: before.condition?.message });
    expect(isNodeReady(repaired)).toBe(true);
  });

  it('in a pod: the ServiceAccount directory (token and CA) reaches the API server, and a rotated token is used from the next request on', async () => {
    const { cluster } = ctx();
    const serviceAccountDir = mkdtempSync(path.join(cluster.dir, 'serviceaccount-'));
    // as the kubelet does: the new file is written beside the old and renamed over it
    const mount = (file: string, content: string): void => {
      writeFileSync(path.join(serviceAccountDir, `.${file}.new`), content);
      renameSync(path.join(serviceAccountDir, `.${file}.new`), path.join(serviceAccountDir, file));
    };
    mount('ca.crt', cluster.caPem);
    mount('token', await cluster.serviceAccountToken(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, 3600));
    const loaded = await loadApiServerConnection({
      kubeconfig: undefined,
      env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(cluster.apiPort) },
      homeDir: serviceAccountDir,
      serviceAccountDir,
    });
    expect(loaded).toMatchObject({ source: 'in-cluster ServiceAccount', server: `https://127.0.0.1:${String(cluster.apiPort)}` });
    const api = new HttpsNodeApi(loaded.connection);
    const probe = 'test.patchwindow.dev/in-cluster-probe';
    await api.patchNodeMetadata('node-1', { metadata: { annotations: { [probe]: 'first token' } } });
    expect((await api.readNode('node-1')).metadata?.annotations?.[probe]).toBe('first token');

    mount('token', 'a-token-the-api-server-never-issued');
    const refused = await api.readNode('node-1').then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(NodeApiError);
    expect(refused).toMatchObject({ status: 401 });

    mount('token', await cluster.serviceAccountToken(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, 3600));
    await api.patchNodeMetadata('node-1', { metadata: { annotations: { [probe]: null } } });
    expect((await api.readNode('node-1')).metadata?.annotations?.[probe]).toBeUndefined();
  });

  it('its ServiceAccount token can do the agent job and nothing more (403 for everything else)', async () => {
    const { cluster, agentApi } = ctx();
    await cluster.admin.create(`/api/v1/namespaces/${AGENT_NAMESPACE}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'rbac-probe', namespace: AGENT_NAMESPACE },
      data: { key: 'value' },
    });
    const statusOf = (request: Promise<unknown>): Promise<number> =>
      request.then(
        () => 200,
        (error: unknown) => {
          if (error instanceof KubeApiError) return error.status;
          throw error;
        },
      );
    const dryRun = 'dryRun=All'; // an unexpectedly allowed write changes nothing
    const node = await agentApi.get<Node>('/api/v1/nodes/node-1');
    const attempts: [string, Promise<unknown>][] = [
      // the job: get a Node, patch its metadata and its status (any node, as the ClusterRole says)
      ['get node', agentApi.get('/api/v1/nodes/node-2')],
      ['patch node', agentApi.patch(`/api/v1/nodes/node-1?${dryRun}`, { metadata: { annotations: { 'patchwindow.dev/rbac-probe': 'x' } } })],
      ['patch node status', agentApi.patch(`/api/v1/nodes/node-1/status?${dryRun}`, { status: { conditions: [{ type: REBOOT_REQUIRED_CONDITION, status: 'False' }] } }, 'strategic')],
      // nothing more
      ['list nodes', agentApi.get('/api/v1/nodes')],
      ['watch nodes', agentApi.get('/api/v1/nodes?watch=1&timeoutSeconds=1')],
      ['update node', agentApi.request('PUT', `/api/v1/nodes/node-1?${dryRun}`, node)],
      ['delete node', agentApi.request('DELETE', `/api/v1/nodes/node-1?${dryRun}`)],
      ['create node', agentApi.create(`/api/v1/nodes?${dryRun}`, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-rogue' } })],
      ['get node status', agentApi.get('/api/v1/nodes/node-1/status')],
      ['list pods', agentApi.get('/api/v1/pods')],
      ['list pods in its namespace', agentApi.get(`/api/v1/namespaces/${AGENT_NAMESPACE}/pods`)],
      ['create pod eviction', agentApi.create(`/api/v1/namespaces/default/pods/any/eviction?${dryRun}`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'any', namespace: 'default' } })],
      [
        'create configmap',
        agentApi.create(`/api/v1/namespaces/${AGENT_NAMESPACE}/configmaps?${dryRun}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rogue' } }),
      ],
      ['patch configmap', agentApi.patch(`/api/v1/namespaces/${AGENT_NAMESPACE}/configmaps/rbac-probe?${dryRun}`, { data: { key: 'changed' } })],
      ['get configmap', agentApi.get(`/api/v1/namespaces/${AGENT_NAMESPACE}/configmaps/rbac-probe`)],
      ['get secrets', agentApi.get('/api/v1/namespaces/kube-system/secrets')],
      ['list daemonsets', agentApi.get(`/apis/apps/v1/namespaces/${AGENT_NAMESPACE}/daemonsets`)],
      ['create token', agentApi.create(`/api/v1/namespaces/${AGENT_NAMESPACE}/serviceaccounts/${AGENT_SERVICE_ACCOUNT}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} })],
    ];
    const outcome = Object.fromEntries(await Promise.all(attempts.map(async ([what, request]) => [what, await statusOf(request)] as const)));
    expect(outcome).toEqual({
      'get node': 200,
      'patch node': 200,
      'patch node status': 200,
      'list nodes': 403,
      'watch nodes': 403,
      'update node': 403,
      'delete node': 403,
      'create node': 403,
      'get node status': 403,
      'list pods': 403,
      'list pods in its namespace': 403,
      'create pod eviction': 403,
      'create configmap': 403,
      'patch configmap': 403,
      'get configmap': 403,
      'get secrets': 403,
      'list daemonsets': 403,
      'create token': 403,
    });
    // the dry runs changed nothing
    expect((await cluster.admin.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${AGENT_NAMESPACE}/configmaps/rbac-probe`)).data).toEqual({ key: 'value' });
    expect(nodeNow('node-1').metadata.annotations).not.toHaveProperty('patchwindow.dev/rbac-probe');

    // and the agents themselves never met a 403 doing their job
    for (const node of NODES) {
      const { body } = await agent(node).http('/metrics');
      expect(body).not.toMatch(/^patchwindow_agent_api_errors_total\{[^}]*code="403"/m);
      expect(body).toMatch(/^patchwindow_agent_node_writes_total\{resource="nodes"\} [1-9]/m);
      expect(body).toMatch(/^patchwindow_agent_node_writes_total\{resource="nodes\/status"\} [1-9]/m);
      expect(agent(node).logLines().filter((line) => line['level'] === 'error' || line['level'] === 'warn')).toEqual([]);
    }
  });

  it(`measures detection latency over ${LATENCY_TOUCHES} touches on one node (create, then remove, each observed)`, async ({ annotate }) => {
    const node1 = agent('node-1');
    const detect: number[] = [];
    const clear: number[] = [];
    const completeDetect: number[] = [];
    for (let touch = 0; touch < LATENCY_TOUCHES; touch++) {
      const annotated = observe('node-1', `touch ${touch}: annotation true`, (n) => n.metadata.annotations?.[REBOOT_REQUIRED_ANNOTATION] === 'true');
      const pending = observe('node-1', `touch ${touch}: complete pending report`, (n) => reports(n, true));
      const createdAt = performance.now();
      node1.touch();
      detect.push((await annotated).at - createdAt);
      completeDetect.push((await pending).at - createdAt);

      const unannotated = observe('node-1', `touch ${touch}: annotation false`, (n) => n.metadata.annotations?.[REBOOT_REQUIRED_ANNOTATION] === 'false');
      const cleared = observe('node-1', `touch ${touch}: complete cleared report`, (n) => reports(n, false));
      const removedAt = performance.now();
      node1.clear();
      clear.push((await unannotated).at - removedAt);
      await cleared;
    }
    const figures: { detectMs: Summary; completeReportMs: Summary; clearMs: Summary } = {
      detectMs: summarize(detect),
      completeReportMs: summarize(completeDetect),
      clearMs: summarize(clear),
    };
    recordResults(RESULTS_FILE, {
      latency: {
        node: 'node-1',
        touches: LATENCY_TOUCHES,
        what: 'sentinel created (or removed) -> the watch delivers the Node with patchwindow.dev/reboot-required=true (false); completeReportMs: until label and condition are there too',
        ...figures,
      },
    });
    const line = (summary: Summary): string => `p50 ${summary.p50} / p95 ${summary.p95} / max ${summary.max} ms (n=${summary.count})`;
    await annotate(`detect (created -> annotation true): ${line(figures.detectMs)}`, 'latency');
    await annotate(`complete report (label + condition too): ${line(figures.completeReportMs)}`, 'latency');
    await annotate(`clear (removed -> annotation false): ${line(figures.clearMs)}`, 'latency');
    // correctness only: every touch was seen, in order, and node-1 ends cleared
    expect(detect).toHaveLength(LATENCY_TOUCHES);
    expect(clear).toHaveLength(LATENCY_TOUCHES);
    expect(reports(nodeNow('node-1'), false)).toBe(true);
    expect(agentView(nodeNow('node-1')).labels).toEqual({});
    const { body } = await node1.http('/metrics');
    expect(body).toMatch(/^patchwindow_agent_reboot_required 0$/m);
  });

  it('measures RSS and idle CPU of the agent processes; an idle agent (30 min heartbeat) writes nothing', async ({ annotate }) => {
    const mib = (kib: number): number => Math.round((kib / 1024) * 10) / 10;
    // the pids are the agents' node processes themselves (setpriv execs them), not wrappers
    for (const node of NODES) expect(readFileSync(`/proc/${agent(node).pid}/cmdline`, 'utf8').split('\0')).toEqual([process.execPath, expect.stringMatching(/\/bot\/cli\.ts$/), 'agent', '']);
    const before = new Map(NODES.map((node) => [node, sampleProcess(agent(node).pid)] as const));
    const node1Before = agentView(nodeNow('node-1'));
    await delay(IDLE_WINDOW_MS); // the measurement window itself, not a wait for anything
    const after = new Map(NODES.map((node) => [node, sampleProcess(agent(node).pid)] as const));
    const perNode = Object.fromEntries(
      NODES.map((node) => {
        const first = before.get(node);
        const last = after.get(node);
        if (first === undefined || last === undefined) throw new Error(`no samples for ${node}`);
        return [
          node,
          {
            heartbeat: node === HEARTBEAT_NODE ? HEARTBEAT_INTERVAL : '30m (default)',
            rssMiB: mib(last.rssKiB),
            rssAnonMiB: mib(last.rssAnonKiB),
            rssFileMiB: mib(last.rssFileKiB),
            peakRssMiB: mib(last.peakRssKiB),
            idleCpuPercent: Math.round(cpuPercent(first, last) * 1000) / 1000,
            cpuTicks: last.cpuTicks - first.cpuTicks,
            windowMs: Math.round(last.at - first.at),
          },
        ];
      }),
    );
    // what the V8 heap holds of that (prom-client's process metrics): resident memory a GC under a
    // memory limit could give back, as opposed to the heap in use
    const heap = Object.fromEntries(
      await Promise.all(
        NODES.map(async (node) => {
          const { body } = await agent(node).http('/metrics');
          const gauge = (name: string): number | undefined => {
            const value = new RegExp(`^patchwindow_agent_${name} (\\S+)$`, 'm').exec(body)?.[1];
            return value === undefined ? undefined : Math.round((Number(value) / 2 ** 20) * 10) / 10;
          };
          return [node, { heapUsedMiB: gauge('nodejs_heap_size_used_bytes'), heapTotalMiB: gauge('nodejs_heap_size_total_bytes'), externalMiB: gauge('nodejs_external_memory_bytes') }] as const;
        }),
      ),
    );
    recordResults(RESULTS_FILE, {
      process: Object.fromEntries(NODES.map((node) => [node, { ...perNode[node], ...heap[node] }])),
      processNote: 'VmRSS/RssAnon/RssFile/VmHWM from /proc/<pid>/status; idle CPU = (utime+stime) over the window, % of one core; heap from the agent /metrics',
    });
    for (const node of NODES) {
      const figures = { ...perNode[node], ...heap[node] } as Record<string, unknown>;
      await annotate(
        `${node}: RSS ${String(figures['rssMiB'])} MiB (anon ${String(figures['rssAnonMiB'])}), heap used ${String(figures['heapUsedMiB'])} MiB, idle CPU ${String(figures['idleCpuPercent'])} % over ${String(figures['windowMs'])} ms`,
        'process',
      );
    }
    // correctness: node-1's agent, idle with the default heartbeat, did not write to its Node
    expect(agentView(nodeNow('node-1'))).toEqual(node1Before);
    for (const node of NODES) expect(agent(node).process.isRunning()).toBe(true);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exits = await Promise.all(
      NODES.map(async (node) => {
        const stoppedAt = performance.now();
        const exit = await agent(node).stop(15_000);
        return { node, exit, ms: performance.now() - stoppedAt };
      }),
    );
    recordResults(RESULTS_FILE, { shutdownMs: Object.fromEntries(exits.map(({ node, ms }) => [node, Math.round(ms)])) });
    for (const { node, exit } of exits) {
      expect(exit, node).toEqual({ code: 0, signal: null });
      expect(agent(node).logLines().some((line) => line['msg'] === 'patchwindow agent stopped'), node).toBe(true);
    }
  });
});
