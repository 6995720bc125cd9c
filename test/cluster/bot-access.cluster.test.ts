// The bot's ServiceAccount can do its job and is refused beyond it (issue 7): manifests/bot
// rendered by kustomize and applied to a real API server with server-side apply, then, with a
// TokenRequest token of patchwindow/patchwindow-bot, a KubernetesCluster deploys kured and the
// safety net for a window (creating kured's and the reaper's roles without escalate or bind),
// reads nodes, pods and kured's pod log, holds the lock and a Lease, and removes kured and the
// Job. Everything beyond that answers 403.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { kuredManifests } from '../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { reapJob, reapJobName } from '../../bot/adapters/cluster/kubernetes/reap-job.ts';
import { reaperAccessManifests } from '../../bot/adapters/cluster/kubernetes/reaper-access.ts';
import type { RebootDaemonSpec } from '../../bot/core/ports/cluster-port.ts';
import { applyBotManifests, BOT_NAMESPACE, BOT_SERVICE_ACCOUNT, loginAs } from './harness/bot.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { KubeApiError, kubeClient } from './harness/kube.ts';
import type { KubeClient } from './harness/kube.ts';
import { startSimulatedNodes } from './harness/nodes.ts';
import type { SimulatedNodes } from './harness/nodes.ts';
import { createObjects, resourcePath } from './harness/objects.ts';
import type { Manifest } from './harness/objects.ts';

const NODES = ['node-a', 'node-b'];
const SAFETY_NET = { image: 'registry.test/patchwindow:cluster-test', graceMs: 120_000 };
const JOBS = '/apis/batch/v1/namespaces/kured/jobs';
const spec = (windowId: number): RebootDaemonSpec => ({
  windowId,
  start: new Date('2026-03-07T21:00:00Z'),
  end: new Date('2026-03-08T01:00:00Z'),
  zone: 'Europe/Zurich',
  concurrency: 1,
  nodeSelector: undefined,
});

/** The HTTP status a request as the bot answers with (2xx: 200). */
async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    await request;
    return 200;
  } catch (error) {
    if (error instanceof KubeApiError) return error.status;
    // a watch answers 200 with one JSON event per line, which the client cannot parse as one
    if (error instanceof SyntaxError) return 200;
    throw error;
  }
}

async function until<T>(description: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the bot's ServiceAccount on a real API server", () => {
  let cluster: TestCluster | undefined;
  let nodes: SimulatedNodes | undefined;
  let bot: KubeClient | undefined;
  let port: KubernetesCluster | undefined;
  let applied: Manifest[] = [];
  let failed = false;

  const ctx = (): { cluster: TestCluster; bot: KubeClient; port: KubernetesCluster } => {
    if (cluster === undefined || bot === undefined || port === undefined) throw new Error('cluster not started');
    return { cluster, bot, port };
  };

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false });
    nodes = await startSimulatedNodes(cluster.admin, { names: NODES, heartbeatMs: 3000 });
    applied = await applyBotManifests(cluster);
    const login = await loginAs(cluster, BOT_NAMESPACE, BOT_SERVICE_ACCOUNT, BOT_NAMESPACE);
    bot = kubeClient({ server: cluster.server, ca: cluster.caPem, token: login.token });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(login.kubeconfig);
    port = new KubernetesCluster({ kubeConfig, source: 'the bot ServiceAccount', removeTimeoutMs: 30_000, safetyNet: SAFETY_NET });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    await port?.close().catch((error: unknown) => problems.push(error));
    bot?.close();
    try {
      nodes?.stop();
    } catch (error) {
      problems.push(error);
    }
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('manifests/bot applies as rendered by kustomize: every object is on the server, the image copied into PATCHWINDOW_IMAGE', async () => {
    const { cluster: c } = ctx();
    expect(applied.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole/patchwindow-bot',
        'ClusterRoleBinding/patchwindow-bot',
        'Deployment/patchwindow-bot',
        'Namespace/kured',
        'Namespace/patchwindow',
        'PersistentVolumeClaim/patchwindow-data',
        'Role/patchwindow-bot',
        'Role/patchwindow-bot-leader-election',
        'RoleBinding/patchwindow-bot',
        'RoleBinding/patchwindow-bot-leader-election',
        'Service/patchwindow',
        'ServiceAccount/patchwindow-bot',
      ].sort(),
    );
    for (const manifest of applied.filter((m) => m.kind !== 'PersistentVolumeClaim' && m.kind !== 'Service')) {
      expect(await c.admin.find(resourcePath(manifest)), `${manifest.kind} ${manifest.metadata.name}`).toBeDefined();
    }
    const deployment = await c.admin.get<{ spec: { strategy: { type: string }; template: { spec: { containers: { image: string; env: { name: string; value?: string }[] }[] } } } }>(
      '/apis/apps/v1/namespaces/patchwindow/deployments/patchwindow-bot',
    );
    expect(deployment.spec.strategy.type).toBe('Recreate');
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.image).toBe('ghcr.io/patchwindow/patchwindow:0.1.0');
    expect(container?.env.find((variable) => variable.name === 'PATCHWINDOW_IMAGE')?.value).toBe(container?.image);
  });

  it('is the bot ServiceAccount', async () => {
    const review = await ctx().bot.create<{ status: { userInfo: { username: string } } }>('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(review.status.userInfo.username).toBe(`system:serviceaccount:${BOT_NAMESPACE}:${BOT_SERVICE_ACCOUNT}`);
  });

  it('deploys kured and the safety net for a window (its roles created without escalate or bind), idempotently', async () => {
    const { cluster: c, port: kube } = ctx();
    await kube.deployRebootDaemon(spec(5));
    const expected = [...kuredManifests(spec(5)), ...reaperAccessManifests('kured'), reapJob(spec(5), 'kured', SAFETY_NET)] as unknown as Manifest[];
    for (const manifest of expected) {
      if (manifest.kind === 'Job') continue;
      const live = await c.admin.get<{ metadata: { managedFields?: { manager: string }[] } }>(resourcePath(manifest));
      expect(live.metadata.managedFields?.some((entry) => entry.manager === 'patchwindow'), `${manifest.kind} ${manifest.metadata.name}`).toBe(true);
    }
    const job = await c.admin.get<{ spec: { template: { spec: { serviceAccountName: string; containers: { image: string; args: string[] }[] } } } }>(`${JOBS}/${reapJobName(5)}`);
    expect(job.spec.template.spec.serviceAccountName).toBe('patchwindow-reaper');
    expect(job.spec.template.spec.containers[0]?.image).toBe(SAFETY_NET.image);
    expect(job.spec.template.spec.containers[0]?.args).toEqual(['reap', '--namespace', 'kured', '--window', '5', '--at', '2026-03-08T01:02:00.000Z']);
    expect(await kube.rebootDaemon()).toEqual({ present: true, windowId: 5 });
    // again: the Job's immutable pod template is the same, so nothing fails
    await kube.deployRebootDaemon(spec(5));
    expect(await kube.rebootDaemon()).toEqual({ present: true, windowId: 5 });
  });

  it('reads nodes (list and watch), pods everywhere, kured\'s DaemonSet by name, and kured\'s pod log', async () => {
    const { cluster: c, bot: api, port: kube } = ctx();
    const listed = await until('both nodes', 30_000, async () => {
      const list = await kube.nodes();
      return list.length === NODES.length ? list : undefined;
    });
    expect(listed.map((node) => node.name)).toEqual(NODES);
    expect(await statusOf(api.get('/api/v1/pods'))).toBe(200);
    expect(await statusOf(api.get('/api/v1/pods?watch=1&timeoutSeconds=1'))).toBe(200);
    expect(await statusOf(api.get('/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a'))).toBe(200);
    expect(await statusOf(api.get('/apis/policy/v1/namespaces/default/poddisruptionbudgets'))).toBe(200);
    // kured's DaemonSet selected by name: RBAC matches the field selector against resourceNames
    expect(await statusOf(api.get('/apis/apps/v1/namespaces/kured/daemonsets?fieldSelector=metadata.name%3Dkured'))).toBe(200);
    expect(await statusOf(api.get('/apis/apps/v1/namespaces/kured/daemonsets?fieldSelector=metadata.name%3Dkured&watch=1&timeoutSeconds=1'))).toBe(200);
    expect(await statusOf(api.get('/apis/apps/v1/namespaces/kured/daemonsets'))).toBe(403);
    // a kured pod on node-a (the tier runs no DaemonSet controller): its log is allowed; the
    // simulated node has no kubelet to serve it, so the answer is an error, but not 403
    await createObjects(c.admin, [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'kured-test', namespace: 'kured', labels: { 'app.kubernetes.io/name': 'kured' } },
        spec: { nodeName: 'node-a', containers: [{ name: 'kured', image: 'ghcr.io/kubereboot/kured:1.23.0' }] },
      },
    ]);
    const logStatus = await statusOf(api.get('/api/v1/namespaces/kured/pods/kured-test/log?container=kured'));
    expect(logStatus).not.toBe(403);
    const review = await api.create<{ status: { allowed: boolean } }>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { namespace: 'kured', resource: 'pods', subresource: 'log', verb: 'get', name: 'kured-test' } },
    });
    expect(review.status.allowed).toBe(true);
    await c.admin.delete('/api/v1/namespaces/kured/pods/kured-test', { gracePeriodSeconds: 0 });
  });

  it('holds and releases kured\'s lock, and holds its leader-election Lease', async () => {
    const { bot: api, port: kube } = ctx();
    await kube.holdRebootLock('patchwindow-pause');
    expect((await kube.readLock()).holders).toEqual(['patchwindow-pause/1']);
    await kube.releaseRebootLock('patchwindow-pause');
    expect((await kube.readLock()).holders).toEqual([]);

    const leases = `/apis/coordination.k8s.io/v1/namespaces/${BOT_NAMESPACE}/leases`;
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'patchwindow-bot', namespace: BOT_NAMESPACE }, spec: { holderIdentity: 'bot-1', leaseDurationSeconds: 15 } };
    const created = await api.create<{ metadata: { resourceVersion: string } }>(leases, lease);
    const read = await api.get<{ metadata: { resourceVersion: string }; spec: { holderIdentity: string } }>(`${leases}/patchwindow-bot`);
    expect(read.spec.holderIdentity).toBe('bot-1');
    await api.request('PUT', `${leases}/patchwindow-bot`, { ...lease, metadata: { ...lease.metadata, resourceVersion: created.metadata.resourceVersion }, spec: { ...lease.spec, holderIdentity: 'bot-2' } });
    expect((await api.get<{ spec: { holderIdentity: string } }>(`${leases}/patchwindow-bot`)).spec.holderIdentity).toBe('bot-2');
    // another Lease, or the Lease in another namespace: no
    expect(await statusOf(api.get(`${leases}/someone-else`))).toBe(403);
    expect(await statusOf(api.create('/apis/coordination.k8s.io/v1/namespaces/default/leases', { ...lease, metadata: { name: 'patchwindow-bot', namespace: 'default' } }))).toBe(403);
  });

  it('is refused beyond its job: 403 for secrets, nodes, other namespaces, other names, more RBAC', async () => {
    const { cluster: c, bot: api } = ctx();
    await createObjects(c.admin, [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'someone-elses', namespace: 'kured' },
        spec: {
          selector: { matchLabels: { app: 'someone-elses' } },
          template: { metadata: { labels: { app: 'someone-elses' } }, spec: { containers: [{ name: 'c', image: 'registry.test/c:1' }] } },
        },
      },
    ]);
    const daemonSet = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kured', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'registry.test/c:1' }] } } },
    };
    const refusals: [string, Promise<unknown>][] = [
      ['read a Secret', api.get('/api/v1/namespaces/patchwindow/secrets/patchwindow-secrets')],
      ['list Secrets', api.get('/api/v1/namespaces/kube-system/secrets')],
      ['delete a Node', api.delete('/api/v1/nodes/node-b')],
      ['create a DaemonSet in another namespace', api.create('/apis/apps/v1/namespaces/default/daemonsets', daemonSet)],
      ['create a DaemonSet under another name in kured', api.create('/apis/apps/v1/namespaces/kured/daemonsets', { ...daemonSet, metadata: { name: 'x', namespace: 'kured' } })],
      ['patch another DaemonSet in kured', api.patch('/apis/apps/v1/namespaces/kured/daemonsets/someone-elses', { metadata: { labels: { x: 'y' } } })],
      ['create a Job in another namespace', api.create('/apis/batch/v1/namespaces/default/jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: {} })],
      ['delete kured\'s Namespace', api.delete('/api/v1/namespaces/kured')],
      ['delete its own Deployment', api.delete('/apis/apps/v1/namespaces/patchwindow/deployments/patchwindow-bot')],
      ['exec into a pod', api.create('/api/v1/namespaces/kured/pods/kured-test/exec?command=sh&stdout=true', {})],
      ['a token for kured\'s ServiceAccount', api.create('/api/v1/namespaces/kured/serviceaccounts/kured/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} })],
      [
        'bind cluster-admin to itself',
        api.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'patchwindow-kured-kured' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name: BOT_SERVICE_ACCOUNT, namespace: BOT_NAMESPACE }],
        }),
      ],
      // escalation through the one ClusterRole it may write: rules it does not hold are refused
      [
        'add a rule it does not hold to kured\'s ClusterRole',
        api.patch('/apis/rbac.authorization.k8s.io/v1/clusterroles/patchwindow-kured-kured', [{ op: 'add', path: '/rules/-', value: { apiGroups: [''], resources: ['secrets'], verbs: ['get'] } }], 'json'),
      ],
      ['patch another ClusterRole', api.patch('/apis/rbac.authorization.k8s.io/v1/clusterroles/patchwindow-bot', { metadata: { labels: { x: 'y' } } })],
    ];
    const statuses = await Promise.all(refusals.map(async ([what, request]) => [what, await statusOf(request)] as const));
    expect(Object.fromEntries(statuses)).toEqual(Object.fromEntries(refusals.map(([what]) => [what, 403])));
    // kured's ClusterRole: the bot may patch it, so that refusal is RBAC's escalation check
    const escalation = await api
      .patch('/apis/rbac.authorization.k8s.io/v1/clusterroles/patchwindow-kured-kured', [{ op: 'add', path: '/rules/-', value: { apiGroups: [''], resources: ['secrets'], verbs: ['get'] } }], 'json')
      .catch((error: unknown) => error);
    expect(escalation).toBeInstanceOf(KubeApiError);
    expect((escalation as KubeApiError).body).toContain('attempting to grant RBAC permissions not currently held');
    // it may read that DaemonSet (kured's ClusterRole gets DaemonSets everywhere, so the bot holds
    // that), never change it
    expect(await statusOf(api.get('/apis/apps/v1/namespaces/kured/daemonsets/someone-elses'))).toBe(200);
    await c.admin.delete('/apis/apps/v1/namespaces/kured/daemonsets/someone-elses');
  });

  it('removes kured completely and then the safety net\'s Jobs with their pods; the reaper\'s identity stays', async () => {
    const { cluster: c, port: kube } = ctx();
    // the Job controller made a pod for the Job (nothing runs it here)
    await until('the reap Job\'s pod', 30_000, async () => {
      const pods = await c.admin.get<{ items: unknown[] }>(`/api/v1/namespaces/kured/pods?labelSelector=job-name%3D${reapJobName(5)}`);
      return pods.items.length > 0 ? true : undefined;
    });
    await kube.removeRebootDaemon();
    for (const manifest of kuredManifests(spec(5)) as unknown as Manifest[]) {
      if (manifest.kind === 'Namespace') continue;
      expect(await c.admin.find(resourcePath(manifest)), `${manifest.kind} ${manifest.metadata.name}`).toBeUndefined();
    }
    expect(await kube.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    await until('the Job and its pods gone', 30_000, async () => {
      const jobs = await c.admin.get<{ items: unknown[] }>(JOBS);
      const pods = await c.admin.get<{ items: unknown[] }>(`/api/v1/namespaces/kured/pods?labelSelector=job-name%3D${reapJobName(5)}`);
      return jobs.items.length === 0 && pods.items.length === 0 ? true : undefined;
    });
    for (const manifest of reaperAccessManifests('kured') as unknown as Manifest[]) {
      expect(await c.admin.find(resourcePath(manifest)), `${manifest.kind} ${manifest.metadata.name}`).toBeDefined();
    }
    await kube.removeRebootDaemon(); // idempotent
  });
});
