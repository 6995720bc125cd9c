// The Helm chart (manifests/helm/patchwindow) with the real helm and a real API server (issue 12):
// `helm lint --strict` passes for each value combination; `helm template` renders, for the default
// values and for the Slack, Teams and command-mode combinations, exactly the objects `kubectl
// kustomize` renders from manifests/bot and manifests/agent (only Helm's own labels and
// annotations, and the release's Namespace, differ); every environment variable is a setting and
// the bot's and the agent's loaders accept the environment; every rendering passes a server-side
// dry run with strict field validation (the ServiceMonitor and PodMonitor against minimal stand-in
// CRDs); values the schema refuses fail at `helm template`; and a real `helm install` under another
// release name and kured namespace gives a bot ServiceAccount that deploys and removes kured and the
// safety net there, an upgrade between modes succeeds, and `helm uninstall` keeps only the database
// claim and kured's namespace.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { loadConfig } from '../../bot/config/load-config.ts';
import { settingList } from '../../bot/config/settings.ts';
import type { RebootDaemonSpec } from '../../bot/core/ports/cluster-port.ts';
import { loginAs } from './harness/bot.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { apiPath, CHART_DIR, containerEnvNames, helmRunner, monitoringCrds, normalise, objectKey } from './harness/helm-chart.ts';
import type { HelmRunner, Rendered } from './harness/helm-chart.ts';
import type { Manifest } from './harness/objects.ts';
import { REPO_ROOT } from './harness/tools.ts';

interface Combination {
  readonly name: string;
  readonly release: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  /** The kustomizations that render the same objects, when there are. */
  readonly kustomize?: readonly string[];
}

const COMBINATIONS: readonly Combination[] = [
  { name: 'defaults', release: 'patchwindow', namespace: 'patchwindow', values: {}, kustomize: ['manifests/bot', 'manifests/agent'] },
  { name: 'slack', release: 'patchwindow', namespace: 'patchwindow', values: { bot: { chat: 'slack' } }, kustomize: ['manifests/bot/overlays/slack', 'manifests/agent'] },
  {
    name: 'teams, agent in command mode',
    release: 'patchwindow',
    namespace: 'patchwindow',
    values: { bot: { chat: 'teams' }, agent: { mode: 'command' } },
    kustomize: ['manifests/bot/overlays/teams', 'manifests/agent/overlays/command-mode'],
  },
  {
    name: 'monitors, another release and kured namespace, settings, no leader election or safety net',
    release: 'pw',
    namespace: 'ops',
    values: {
      image: { digest: `sha256:${'ab'.repeat(32)}`, pullPolicy: 'Always' },
      imagePullSecrets: ['regcred'],
      bot: {
        kured: { namespace: 'ops-kured' },
        leaderElection: { enabled: false },
        safetyNet: { enabled: false, grace: '5m' },
        persistence: { size: '5Gi', storageClass: 'fast' },
        config: { PATCHWINDOW_DEFAULT_ZONE: 'Europe/Zurich', PATCHWINDOW_APPROVERS: ['console:alice', 'console:bob'], PATCHWINDOW_FOUR_EYES: false, PATCHWINDOW_CONCURRENCY: 2 },
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        serviceAccountAnnotations: { 'example.com/role': 'patchwindow' },
      },
      agent: { file: { path: '/run/reboot-required' }, config: { PATCHWINDOW_AGENT_SCAN_INTERVAL: '10m', PATCHWINDOW_LOG_LEVEL: 'debug' }, nodeOptions: '' },
      serviceMonitor: { enabled: true, interval: '30s', scrapeTimeout: '10s', labels: { release: 'kube-prometheus-stack' } },
    },
  },
  { name: 'no agent, an existing claim, kured in kube-system', release: 'pw2', namespace: 'ops', values: { agent: { enabled: false }, bot: { persistence: { existingClaim: 'pw-db' }, kured: { namespace: 'kube-system', createNamespace: false } } } },
];

/** What an operator puts in the Secret for each chat platform (the secret templates' keys). */
const SECRET: Record<string, Record<string, string>> = {
  console: { PATCHWINDOW_CONSOLE_TOKEN: 'a-console-token-of-32-characters' },
  slack: { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-2-abc', PATCHWINDOW_SLACK_CHANNEL: 'C0123456789', PATCHWINDOW_APPROVERS: 'slack:U0123456789' },
  teams: {
    MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
    MicrosoftAppPassword: 'an-app-password',
    MicrosoftAppTenantId: '00000000-0000-0000-0000-000000000002',
    PATCHWINDOW_APPROVERS: 'teams:00000000-0000-0000-0000-000000000003',
  },
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Workload {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: { name: string; image: string; imagePullPolicy?: string; env: EnvVar[]; ports: { name: string }[]; volumeMounts?: { name: string; mountPath: string }[] }[];
        volumes?: { name: string; hostPath?: { path: string }; persistentVolumeClaim?: { claimName: string } }[];
        imagePullSecrets?: { name: string }[];
        nodeSelector?: Record<string, string>;
      };
    };
  };
}
interface Rule {
  resources: string[];
  resourceNames?: string[];
}

const find = (manifests: readonly Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in ${manifests.map(objectKey).join(', ')}`);
  return found;
};
const envOf = (workload: Workload, nodeName = 'node-a'): Record<string, string> =>
  Object.fromEntries((workload.spec.template.spec.containers[0]?.env ?? []).map((variable) => [variable.name, variable.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName' ? nodeName : (variable.value ?? '')]));

const spec = (windowId: number): RebootDaemonSpec => ({
  windowId,
  start: new Date('2026-03-07T21:00:00Z'),
  end: new Date('2026-03-08T01:00:00Z'),
  zone: 'Europe/Zurich',
  concurrency: 1,
  nodeSelector: undefined,
});

describe('the Helm chart with the real helm and a real API server', () => {
  let cluster: TestCluster | undefined;
  let runner: HelmRunner | undefined;
  let failed = false;
  const rendered = new Map<string, Rendered>();

  const ctx = (): { cluster: TestCluster; runner: HelmRunner } => {
    if (cluster === undefined || runner === undefined) throw new Error('cluster not started');
    return { cluster, runner };
  };
  const render = async (combination: Combination): Promise<Rendered> => {
    const cached = rendered.get(combination.name);
    if (cached !== undefined) return cached;
    const result = await ctx().runner.template({ release: combination.release, namespace: combination.namespace, values: combination.values, name: `values-${String(COMBINATIONS.indexOf(combination))}.yaml` });
    rendered.set(combination.name, result);
    return result;
  };
  /**
   * kubectl apply --server-side with strict field validation of YAML text or of objects (written as
   * JSON: YAML 1.1 readers take an unquoted `off` for false); dryRun: the server checks, stores nothing.
   */
  const apply = async (objects: string | readonly Manifest[], file: string, dryRun: boolean): Promise<string> => {
    const { cluster: c } = ctx();
    const target = path.join(c.dir, file);
    writeFileSync(target, typeof objects === 'string' ? objects : objects.map((manifest) => JSON.stringify(manifest)).join('\n---\n'));
    const { stdout } = await c.kubectl(['apply', '--server-side', '--field-manager=helm-chart-test', '--validate=strict', ...(dryRun ? ['--dry-run=server'] : []), '-f', target]);
    return stdout;
  };

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false });
    runner = helmRunner(cluster.tools, path.join(cluster.dir, 'helm-home'));
    // the release namespaces (`kubectl create namespace` / helm --create-namespace), the Prometheus Operator's CRDs (stand-ins)
    await apply([...['patchwindow', 'ops'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })), ...monitoringCrds()], 'setup.yaml', false);
    await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/servicemonitors.monitoring.coreos.com', 'crd/podmonitors.monitoring.coreos.com']);
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    await cluster?.stop(failed ? { keepLogsIn: failureLogDir() } : {});
  });

  it.each(COMBINATIONS.map((combination) => [combination.name, combination] as const))('helm lint --strict passes: %s', async (_name, combination) => {
    const { cluster: c, runner: r } = ctx();
    const file = path.join(c.dir, `lint-${String(COMBINATIONS.indexOf(combination))}.yaml`);
    writeFileSync(file, stringify(combination.values));
    for (const strict of [[], ['--strict']]) {
      const { stdout } = await r.helm(['lint', ...strict, CHART_DIR, '--namespace', combination.namespace, '--values', file]);
      expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  it.each(COMBINATIONS.filter((combination) => combination.kustomize !== undefined).map((combination) => [combination.name, combination] as const))(
    'renders the objects kustomize renders: %s',
    async (_name, combination) => {
      const { runner: r } = ctx();
      const helm = await render(combination);
      const kustomize = (await Promise.all((combination.kustomize ?? []).map((dir) => r.kustomize(path.join(REPO_ROOT, dir))))).flatMap((output) => output.manifests);
      // the release's Namespace is helm's (--create-namespace), not the chart's; kustomize has it once per kustomization
      const withoutReleaseNamespace = kustomize.filter((manifest) => !(manifest.kind === 'Namespace' && manifest.metadata.name === combination.namespace));
      expect(kustomize.length - withoutReleaseNamespace.length).toBe(2);
      expect(normalise(helm.manifests)).toEqual(normalise(withoutReleaseNamespace));
      // what normalise() drops is what Helm adds: its labels on every object, nothing else
      for (const manifest of helm.manifests) {
        expect(manifest.metadata.labels, objectKey(manifest)).toMatchObject({
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/instance': combination.release,
          'helm.sh/chart': expect.stringMatching(/^patchwindow-\d/) as unknown,
        });
      }
    },
  );

  it.each(COMBINATIONS.map((combination) => [combination.name, combination] as const))(
    'sets only settings, and the bot\'s and the agent\'s loaders accept the environment: %s',
    async (_name, combination) => {
      const { manifests } = await render(combination);
      const known = new Set([...settingList.map((definition) => definition.env), 'NODE_OPTIONS']);
      const names = containerEnvNames(manifests);
      expect(names.length).toBeGreaterThan(5);
      expect(names.filter((name) => !known.has(name))).toEqual([]);
      const bot = manifests.find((manifest) => manifest.kind === 'Deployment') as unknown as Workload;
      const chat = ((combination.values['bot'] as { chat?: string } | undefined)?.chat ?? 'console');
      const config = loadConfig({ env: { ...envOf(bot), ...SECRET[chat], KUBERNETES_SERVICE_HOST: '10.0.0.1' }, cwd: '/nonexistent' });
      expect(config.cluster.mode).toBe('kube');
      expect(config.http).toEqual({ host: '0.0.0.0', port: 3000 });
      expect(config.safetyNet.image).toBe(bot.spec.template.spec.containers[0]?.image);
      const agent = manifests.find((manifest) => manifest.kind === 'DaemonSet') as unknown as Workload | undefined;
      if (agent !== undefined) {
        const agentConfig = loadConfig({ env: envOf(agent), cwd: '/nonexistent' });
        expect(agentConfig.agent).toMatchObject({ nodeName: 'node-a', host: '0.0.0.0', port: 9102 });
      }
    },
  );

  it('the value combinations change what they promise', async () => {
    const monitored = (await render(COMBINATIONS[3] as Combination)).manifests;
    const bot = find(monitored, 'Deployment', 'pw-patchwindow-bot') as unknown as Workload;
    const botPod = bot.spec.template.spec;
    const config = loadConfig({ env: { ...envOf(bot), ...SECRET['console'], KUBERNETES_SERVICE_HOST: '10.0.0.1' }, cwd: '/nonexistent' });
    expect(config.kured.namespace).toBe('ops-kured');
    expect(config.leaderElection.enabled).toBe(false);
    expect(config.safetyNet).toEqual({ enabled: false, image: `ghcr.io/patchwindow/patchwindow@sha256:${'ab'.repeat(32)}`, graceMs: 300_000 });
    expect(config.schedules.defaultZone).toBe('Europe/Zurich');
    expect(config.approvals).toMatchObject({ approvers: ['console:alice', 'console:bob'], fourEyes: false });
    expect(botPod.containers[0]?.imagePullPolicy).toBe('Always');
    expect(botPod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(botPod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(find(monitored, 'ServiceAccount', 'pw-patchwindow-bot').metadata.annotations).toEqual({ 'example.com/role': 'patchwindow' });
    expect((find(monitored, 'PersistentVolumeClaim', 'pw-patchwindow-data') as unknown as { spec: Record<string, unknown> }).spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } });
    // the bot's RBAC follows kured's namespace; no Lease, no Role for one
    const clusterRole = find(monitored, 'ClusterRole', 'pw-patchwindow-bot') as unknown as { rules: Rule[] };
    expect(clusterRole.rules.flatMap((rule) => rule.resourceNames ?? [])).toEqual(['patchwindow-kured-ops-kured', 'patchwindow-reaper-ops-kured', 'ops-kured']);
    expect(find(monitored, 'Role', 'pw-patchwindow-bot').metadata.namespace).toBe('ops-kured');
    expect(find(monitored, 'Namespace', 'ops-kured').metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(monitored.filter((manifest) => manifest.metadata.name.endsWith('leader-election'))).toEqual([]);
    // the agent watches another sentinel; its directory is what it mounts
    const agent = find(monitored, 'DaemonSet', 'pw-patchwindow-agent') as unknown as Workload;
    expect(agent.spec.template.spec.volumes).toEqual([{ name: 'host-run', hostPath: { path: '/run', type: 'Directory' } }]);
    expect(agent.spec.template.spec.containers[0]?.volumeMounts).toEqual([{ name: 'host-run', mountPath: '/host/run', readOnly: true }]);
    expect(loadConfig({ env: envOf(agent), cwd: '/nonexistent' }).agent).toMatchObject({ sentinelFile: '/host/run/reboot-required', scanIntervalMs: 600_000 });
    expect(envOf(agent)['NODE_OPTIONS']).toBeUndefined();
    // the monitors select what the chart runs, on ports it names
    const service = find(monitored, 'Service', 'pw-patchwindow') as unknown as { metadata: { labels: Record<string, string> }; spec: { ports: { name: string }[] } };
    const serviceMonitor = find(monitored, 'ServiceMonitor', 'pw-patchwindow-bot') as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; interval: string }[] };
    };
    expect(service.metadata.labels).toMatchObject(serviceMonitor.spec.selector.matchLabels);
    expect(serviceMonitor.spec.selector.matchLabels['app.kubernetes.io/instance']).toBe('pw');
    expect(serviceMonitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    expect(service.spec.ports.map((port) => port.name)).toContain('http');
    expect(serviceMonitor.metadata.labels['release']).toBe('kube-prometheus-stack');
    const podMonitor = find(monitored, 'PodMonitor', 'pw-patchwindow-agent') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] } };
    expect(agent.spec.template.metadata.labels).toMatchObject(podMonitor.spec.selector.matchLabels);
    expect(agent.spec.template.spec.containers[0]?.ports.map((port) => port.name)).toContain(podMonitor.spec.podMetricsEndpoints[0]?.port);

    const minimal = (await render(COMBINATIONS[4] as Combination)).manifests;
    expect(minimal.map(objectKey).filter((key) => /DaemonSet|agent|PersistentVolumeClaim|Namespace\/|Monitor/.test(key))).toEqual([]);
    expect((find(minimal, 'Deployment', 'pw2-patchwindow-bot') as unknown as Workload).spec.template.spec.volumes?.[0]).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'pw-db' } });
    expect(find(minimal, 'Role', 'pw2-patchwindow-bot').metadata.namespace).toBe('kube-system');
    expect(envOf(find(minimal, 'Deployment', 'pw2-patchwindow-bot') as unknown as Workload)['PATCHWINDOW_LEADER_ELECTION_LEASE']).toBe('pw2-patchwindow-bot');
  });

  it.each(COMBINATIONS.map((combination) => [combination.name, combination] as const))('passes a server-side dry run on the real API server: %s', async (_name, combination) => {
    const { yaml, manifests } = await render(combination);
    // helm installs Namespaces before what lives in them; a dry-run Namespace does not exist for them
    const namespaces = manifests.filter((manifest) => manifest.kind === 'Namespace');
    if (namespaces.length > 0) await apply(namespaces, `namespaces-${String(COMBINATIONS.indexOf(combination))}.yaml`, false);
    // helm template's output as it is, as helm would send it
    const stdout = await apply(yaml, `dry-run-${String(COMBINATIONS.indexOf(combination))}.yaml`, true);
    const accepted = stdout.split('\n').filter((line) => line.endsWith('serverside-applied (server dry run)'));
    expect(accepted.length, stdout).toBe(manifests.length);
  });

  it('the dry run is strict: a misplaced field in the Deployment or the ServiceMonitor is refused', async () => {
    const { manifests } = await render(COMBINATIONS[3] as Combination);
    const deployment = structuredClone(find(manifests, 'Deployment', 'pw-patchwindow-bot') as unknown as Workload & Manifest);
    (deployment.spec.template.spec as Record<string, unknown>)['env'] = [{ name: 'X', value: 'y' }];
    await expect(apply([deployment], 'bad-deployment.yaml', true)).rejects.toThrow(/\.spec\.template\.spec\.env: field not declared in schema/);
    const serviceMonitor = structuredClone(find(manifests, 'ServiceMonitor', 'pw-patchwindow-bot')) as unknown as Manifest & { spec: Record<string, unknown> };
    serviceMonitor.spec['endpoint'] = [{ port: 'http' }];
    await expect(apply([serviceMonitor], 'bad-servicemonitor.yaml', true)).rejects.toThrow(/\.spec\.endpoint: field not declared in schema/);
  });

  it.each([
    ['an unknown value', { bot: { chatPlatform: 'slack' } }, /additional properties 'chatPlatform' not allowed/],
    ['a setting the chart sets itself', { bot: { config: { PATCHWINDOW_DB: '/tmp/x.db' } } }, /invalid propertyName 'PATCHWINDOW_DB'/],
    ['kured by helm, which its RBAC does not cover', { bot: { config: { PATCHWINDOW_KURED_METHOD: 'helm' } } }, /invalid propertyName 'PATCHWINDOW_KURED_METHOD'/],
    ['a secret in values', { bot: { config: { SLACK_BOT_TOKEN: 'xoxb-1' } } }, /invalid propertyName 'SLACK_BOT_TOKEN'/],
    ['a chat platform that does not exist', { bot: { chat: 'irc' } }, /bot\/chat/],
    ['an agent mode that does not exist', { agent: { mode: 'poll' } }, /agent\/mode/],
    ['a relative sentinel path', { agent: { file: { path: 'var/run/reboot-required' } } }, /agent\/file\/path/],
    ['a grace that is no duration', { bot: { safetyNet: { grace: 'soon' } } }, /bot\/safetyNet\/grace/],
  ])('refuses %s at helm template', async (_name, values, message) => {
    const { runner: r } = ctx();
    await expect(r.template({ release: 'patchwindow', namespace: 'patchwindow', values, name: 'refused.yaml' })).rejects.toThrow(message);
  });

  it("helm install under another name and kured namespace: the bot's ServiceAccount deploys and removes kured and the safety net there; an upgrade between modes; uninstall keeps the database and kured's namespace", async () => {
    const { cluster: c, runner: r } = ctx();
    const values = path.join(c.dir, 'install.yaml');
    writeFileSync(values, stringify({ bot: { chat: 'slack', kured: { namespace: 'maintenance' } }, serviceMonitor: { enabled: true } }));
    const { stdout: installOutput } = await r.helm(['install', 'pw', CHART_DIR, '--namespace', 'tools', '--create-namespace', '--values', values, '--kubeconfig', c.adminKubeconfig]);
    // NOTES.txt: what was installed, the Secret it needs, how Slack reaches it
    expect(installOutput).toContain('the bot (pw-patchwindow-bot, chat: slack) and the node agent (pw-patchwindow-agent, file mode)');
    expect(installOutput).toContain('kubectl -n tools get secret patchwindow-secrets');
    expect(installOutput).toContain('Socket Mode');
    expect(installOutput).toContain('kured is deployed into namespace maintenance only inside approved windows');
    const installed = (await r.template({ release: 'pw', namespace: 'tools', values: { bot: { chat: 'slack', kured: { namespace: 'maintenance' } }, serviceMonitor: { enabled: true } }, name: 'install-rendered.yaml' })).manifests;
    expect(installed.length).toBeGreaterThan(12);
    for (const manifest of installed) expect(await c.admin.find(apiPath(manifest)), objectKey(manifest)).toBeDefined();

    // the chart's bot identity does a window's work in kured's namespace (its roles created without escalate or bind)
    const login = await loginAs(c, 'tools', 'pw-patchwindow-bot', 'tools');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(login.kubeconfig);
    const kube = new KubernetesCluster({
      kubeConfig,
      source: "the chart's bot ServiceAccount",
      kured: { namespace: 'maintenance' },
      removeTimeoutMs: 30_000,
      safetyNet: { image: 'registry.test/patchwindow:cluster-test', graceMs: 120_000 },
    });
    try {
      await kube.deployRebootDaemon(spec(3));
      expect(await kube.rebootDaemon()).toEqual({ present: true, windowId: 3 });
      expect(await c.admin.find('/apis/rbac.authorization.k8s.io/v1/clusterroles/patchwindow-kured-maintenance')).toBeDefined();
      expect(await c.admin.find('/apis/batch/v1/namespaces/maintenance/jobs/patchwindow-reap-3')).toBeDefined();
      await kube.removeRebootDaemon();
      expect(await kube.rebootDaemon()).toEqual({ present: false, windowId: undefined });
    } finally {
      await kube.close();
    }
    const canI = async (verb: string, name: string, namespace = 'tools'): Promise<boolean> => {
      const { stdout } = await c.kubectl(['auth', 'can-i', verb, `leases.coordination.k8s.io/${name}`, '--namespace', namespace, '--as', 'system:serviceaccount:tools:pw-patchwindow-bot']).catch((error: unknown) => ({ stdout: (error as { stdout?: string }).stdout ?? '' }));
      return stdout.trim() === 'yes';
    };
    expect(await canI('update', 'pw-patchwindow-bot')).toBe(true);
    expect(await canI('update', 'patchwindow-bot')).toBe(false);
    expect(await canI('update', 'pw-patchwindow-bot', 'maintenance')).toBe(false);

    // the selectors do not change between modes: an upgrade to Teams and command mode goes through
    await r.helm(['upgrade', 'pw', CHART_DIR, '--namespace', 'tools', '--reuse-values', '--set', 'bot.chat=teams', '--set', 'agent.mode=command', '--kubeconfig', c.adminKubeconfig]);
    const daemonSet = await c.admin.get<Workload & { spec: { template: { spec: { hostPID?: boolean } } } }>('/apis/apps/v1/namespaces/tools/daemonsets/pw-patchwindow-agent');
    expect(daemonSet.spec.template.spec.hostPID).toBe(true);
    const deployment = await c.admin.get<Workload>('/apis/apps/v1/namespaces/tools/deployments/pw-patchwindow-bot');
    expect(envOf(deployment)['PATCHWINDOW_TEAMS']).toBe('on');

    await r.helm(['uninstall', 'pw', '--namespace', 'tools', '--kubeconfig', c.adminKubeconfig]);
    const left: string[] = [];
    for (const manifest of installed) if ((await c.admin.find(apiPath(manifest))) !== undefined) left.push(objectKey(manifest));
    expect(left).toEqual(['Namespace//maintenance', 'PersistentVolumeClaim/tools/pw-patchwindow-data']);
  });
});
