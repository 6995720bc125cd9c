// kured.method helm against a real kube-apiserver with the real helm binary (built into
// .cache/cluster-tools) installing a local chart that mirrors the official kured chart's values
// (harness/kured-chart.ts; the official chart cannot be downloaded here): deploy for a window
// gives a DaemonSet named after the release with kured's arguments for that window and the
// user's options, rebootDaemon() reports the window, the lock works on it, a redeploy changes
// nothing, another window updates it without losing kured's lock, removal leaves nothing, and a
// failing install carries helm's exit code and stderr.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HelmCommandError, KuredHelm } from '../../bot/adapters/cluster/kubernetes/kured-helm.ts';
import type { KuredHelmOptions } from '../../bot/adapters/cluster/kubernetes/kured-helm.ts';
import { kuredArgs } from '../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import type { KuredManifestOptions } from '../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { NO_KURED_OPTIONS } from '../../bot/adapters/cluster/kubernetes/kured-options.ts';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import type { RebootDaemonSpec } from '../../bot/core/ports/cluster-port.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { writeKuredChart } from './harness/kured-chart.ts';

const NAMESPACE = 'ops-kured';
const RELEASE = 'pw-kured';
const DS_PATH = `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets/${RELEASE}`;
const LOCK = 'weave.works/kured-node-lock';

const kured: KuredManifestOptions = {
  namespace: NAMESPACE,
  image: 'registry.example/kured:1.23.0',
  lockTtl: '45m',
  options: {
    ...NO_KURED_OPTIONS,
    blockingPodSelectors: ['app=batch,tier in (a,b)', 'runtime=long'],
    drainTimeout: '10m',
    drainGracePeriod: 0,
    alertFiringOnly: true,
    forceReboot: true,
    rebootMethod: 'signal',
    rebootSignal: 39,
    preRebootNodeLabels: ['rebooting=true'],
  },
};

const spec = (windowId: number, concurrency = 1): RebootDaemonSpec => ({
  windowId,
  start: new Date('2026-03-07T21:00:00Z'),
  end: new Date('2026-03-08T01:00:00Z'),
  zone: 'Europe/Zurich',
  concurrency,
  nodeSelector: undefined,
});

interface DaemonSetView {
  metadata: { resourceVersion?: string; annotations?: Record<string, string> };
  spec: { template: { spec: { containers: { image: string; args: string[] }[]; volumes?: { name: string; hostPath?: { path: string } }[] } } };
}

/** kured's arguments as a set of `--flag=value` (a bare `--flag` is `--flag=true`, repeated --reboot-days joined). */
function normalised(args: readonly string[]): string[] {
  const days: string[] = [];
  const rest: string[] = [];
  for (const arg of args) {
    const value = arg.includes('=') ? arg : `${arg}=true`;
    if (value.startsWith('--reboot-days=')) days.push(...value.slice('--reboot-days='.length).split(','));
    else rest.push(value);
  }
  return [...rest, ...(days.length === 0 ? [] : [`--reboot-days=${days.join(',')}`])].sort();
}

describe('kured deployed by helm on a real API server', () => {
  let cluster: TestCluster | undefined;
  let kube: KubernetesCluster | undefined;
  let helmOptions: KuredHelmOptions | undefined;
  let failed = false;

  const started = (): { cluster: TestCluster; kube: KubernetesCluster; helmOptions: KuredHelmOptions } => {
    if (cluster === undefined || kube === undefined || helmOptions === undefined) throw new Error('cluster not started');
    return { cluster, kube, helmOptions };
  };

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false });
    const home = path.join(cluster.dir, 'helm-home');
    mkdirSync(home, { recursive: true });
    helmOptions = {
      binary: cluster.tools.path('helm'),
      chart: writeKuredChart(path.join(cluster.dir, 'kured-chart')),
      version: '6.1.0',
      repositoryUrl: undefined,
      release: RELEASE,
      timeout: '60s',
      kubeconfig: cluster.adminKubeconfig,
      context: undefined,
      kured,
      // helm's own state (cache, config, data) in the test's temp dir, nothing from this machine's.
      env: { PATH: process.env['PATH'], HOME: home, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') },
    };
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.adminKubeconfig);
    kube = new KubernetesCluster({ kubeConfig, source: 'test admin kubeconfig', kured, helm: new KuredHelm(helmOptions), removeTimeoutMs: 30_000 });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    await kube?.close().catch((error: unknown) => problems.push(error));
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('installs the chart for a window: the DaemonSet named after the release carries the window, its flags and the options', async () => {
    const { cluster: c, kube: port } = started();
    expect(await port.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    await port.removeRebootDaemon(); // no release yet: succeeds

    await port.deployRebootDaemon(spec(7));
    expect(await port.rebootDaemon()).toEqual({ present: true, windowId: 7 });
    const ds = await c.admin.get<DaemonSetView>(DS_PATH);
    expect(ds.metadata.annotations?.['patchwindow.dev/window']).toBe('7');
    const container = ds.spec.template.spec.containers[0];
    expect(container?.image).toBe('registry.example/kured:1.23.0');
    // What the built-in manifests would pass (with this release's DaemonSet name), all of it, through the chart's values.
    const expected = normalised(kuredArgs(spec(7), kured).map((arg) => (arg === '--ds-name=kured' ? `--ds-name=${RELEASE}` : arg)));
    const actual = normalised(container?.args ?? []);
    expect(actual).toEqual(expect.arrayContaining(expected));
    // The chart adds only its own defaults on top.
    expect(actual.filter((arg) => !expected.includes(arg))).toEqual(['--log-format=text', '--metrics-port=8080', '--reboot-command=/bin/systemctl reboot']);
    expect(ds.spec.template.spec.volumes).toEqual([{ name: 'sentinel', hostPath: { path: '/var/run', type: '' } }]);
    for (const object of [
      `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/roles/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/rolebindings/${RELEASE}`,
    ]) {
      expect(await c.admin.find(object), object).toBeDefined();
    }
  });

  it('deploying the same window again changes nothing; another window updates it in place and keeps the lock kured wrote', async () => {
    const { cluster: c, kube: port } = started();
    const before = await c.admin.get<DaemonSetView>(DS_PATH);
    await port.deployRebootDaemon(spec(7));
    expect((await c.admin.get<DaemonSetView>(DS_PATH)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);

    await c.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: '{"nodeID":"node-a","metadata":{"unschedulable":false},"created":"2026-03-07T21:01:00Z","TTL":0}' } } });
    await port.deployRebootDaemon(spec(8, 2));
    expect(await port.rebootDaemon()).toEqual({ present: true, windowId: 8 });
    const updated = await c.admin.get<DaemonSetView>(DS_PATH);
    expect(updated.spec.template.spec.containers[0]?.args).toContain('--concurrency=2');
    expect(updated.metadata.annotations?.[LOCK]).toContain('node-a');
    expect((await port.readLock()).holders).toEqual(['node-a']);
    await c.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: null } } });
  });

  it("holds and releases kured's lock on the release's DaemonSet", async () => {
    const { kube: port } = started();
    await port.holdRebootLock('patchwindow-pause');
    expect((await port.readLock()).holders).toEqual(['patchwindow-pause/1', 'patchwindow-pause/2']);
    await port.releaseRebootLock('patchwindow-pause');
    expect((await port.readLock()).holders).toEqual([]);
  });

  it('removes the release completely, and again is fine', async () => {
    const { cluster: c, kube: port } = started();
    await port.removeRebootDaemon();
    expect(await port.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    for (const object of [
      DS_PATH,
      `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/roles/${RELEASE}`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/rolebindings/${RELEASE}`,
    ]) {
      expect(await c.admin.find(object), `${object} still there`).toBeUndefined();
    }
    // helm's release records (Secrets owner=helm) are gone too: nothing of the release is left.
    const secrets = await c.admin.get<{ items: unknown[] }>(`/api/v1/namespaces/${NAMESPACE}/secrets?labelSelector=owner%3Dhelm`);
    expect(secrets.items).toEqual([]);
    await port.removeRebootDaemon();
  });

  it("a failing install carries helm's exit code and stderr, and installs nothing", async () => {
    const { cluster: c, helmOptions: options } = started();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(c.adminKubeconfig);
    const missing = path.join(c.dir, 'no-such-chart');
    const broken = new KubernetesCluster({ kubeConfig, kured, helm: new KuredHelm({ ...options, chart: missing }) });
    try {
      const failure = await broken.deployRebootDaemon(spec(9)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(HelmCommandError);
      const helmError = failure as HelmCommandError;
      expect(helmError.exitCode).toBe(1);
      expect(helmError.stderr).toContain(missing);
      expect(helmError.message).toMatch(/^helm exited with code 1: Error: /);
      expect(helmError.message).toContain('no-such-chart');
      expect(await broken.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    } finally {
      await broken.close();
    }
  });
});
