// manifests/bot keeps its promises: a Deployment that runs one bot safely (Recreate, PVC, probes,
// non-root, read-only root, resources) with settings the bot's own loader accepts, secret
// templates without secrets, and RBAC that lets the bot create exactly what a window deploys
// (without `escalate` or `bind`: it holds every permission it grants) and little else.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { kuredManifests } from '../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import type { KubeManifest } from '../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { kuredObjectRefs } from '../../../bot/adapters/cluster/kubernetes/kured-removal.ts';
import { reapJob } from '../../../bot/adapters/cluster/kubernetes/reap-job.ts';
import { reaperAccessManifests } from '../../../bot/adapters/cluster/kubernetes/reaper-access.ts';
import { loadConfig } from '../../../bot/config/load-config.ts';
import { settingList } from '../../../bot/config/settings.ts';
import { allows, notCovered, resourceOf } from '../../support/rbac-rules.ts';
import type { PolicyRule, ResourceRequest } from '../../support/rbac-rules.ts';

const dir = new URL('../../../manifests/bot/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, dir), 'utf8');
const documents = (path: string): Record<string, unknown>[] => parseAllDocuments(read(path)).map((document) => document.toJSON() as Record<string, unknown>);

interface EnvVar {
  name: string;
  value?: string;
}
interface Probe {
  httpGet: { path: string; port: string };
}
interface Container {
  name: string;
  image: string;
  args: string[];
  env: EnvVar[];
  envFrom: { secretRef?: { name: string; optional?: boolean } }[];
  ports: { name: string; containerPort: number }[];
  startupProbe: Probe;
  livenessProbe: Probe;
  readinessProbe: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
}
interface Deployment {
  metadata: { name: string; namespace: string };
  spec: {
    replicas: number;
    strategy: { type: string };
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        securityContext: Record<string, unknown>;
        containers: Container[];
        volumes: { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: Record<string, unknown> }[];
      };
    };
  };
}
interface Rbac {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
}

const deployment = documents('base/deployment.yaml')[0] as unknown as Deployment;
const pod = deployment.spec.template.spec;
const container = pod.containers[0] as Container;
const rbac = documents('base/rbac.yaml') as unknown as Rbac[];
const rbacObject = (kind: string, name: string): Rbac => {
  const found = rbac.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`rbac.yaml has no ${kind} ${name}`);
  return found;
};
const clusterRules = rbacObject('ClusterRole', 'patchwindow-bot').rules ?? [];
const kuredNamespaceRules = rbacObject('Role', 'patchwindow-bot').rules ?? [];
const leaseRules = rbacObject('Role', 'patchwindow-bot-leader-election').rules ?? [];
/** Effective rules in kured's namespace: the ClusterRole's (bound cluster-wide) and the Role's there. */
const inKuredNamespace = [...clusterRules, ...kuredNamespaceRules];

/** The Deployment's environment after an overlay's env patch (strategic merge by name). */
function environment(patches: readonly EnvVar[] = []): Record<string, string> {
  const env = new Map(container.env.map((variable) => [variable.name, variable.value ?? '']));
  for (const variable of patches) env.set(variable.name, variable.value ?? '');
  return Object.fromEntries(env);
}

/** A secret template's keys, each given `values[key]` or a placeholder: what an operator fills in. */
function filledTemplate(path: string, values: Record<string, string>): Record<string, string> {
  const secret = parse(read(path)) as { stringData: Record<string, string> };
  return Object.fromEntries(Object.keys(secret.stringData).map((key) => [key, values[key] ?? secret.stringData[key] ?? '']));
}

const WINDOW = { windowId: 5, start: new Date('2026-03-07T21:00:00Z'), end: new Date('2026-03-08T01:00:00Z'), zone: 'UTC', concurrency: 1, nodeSelector: undefined };

describe('manifests/bot kustomizations', () => {
  it('the base lists every object file, sets the image and copies it into PATCHWINDOW_IMAGE', () => {
    const base = parse(read('base/kustomization.yaml')) as {
      namespace?: string;
      resources: string[];
      images: { name: string; newName: string; newTag: string }[];
      replacements: { source: { fieldPath: string }; targets: { fieldPaths: string[] }[] }[];
    };
    const files = readdirSync(new URL('base/', dir)).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml' && !name.includes('template'));
    expect([...base.resources].sort()).toEqual(files.sort());
    // no `namespace:` override: the Role in kured's namespace must stay there
    expect(base.namespace).toBeUndefined();
    expect(base.images).toEqual([{ name: 'patchwindow', newName: 'ghcr.io/patchwindow/patchwindow', newTag: '0.1.0' }]);
    expect(base.replacements[0]?.source.fieldPath).toBe('spec.template.spec.containers.[name=bot].image');
    expect(base.replacements[0]?.targets[0]?.fieldPaths).toEqual(['spec.template.spec.containers.[name=bot].env.[name=PATCHWINDOW_IMAGE].value']);
    expect((parse(read('kustomization.yaml')) as { resources: string[] }).resources).toEqual(['base']);
    for (const overlay of ['slack', 'teams']) {
      const kustomization = parse(read(`overlays/${overlay}/kustomization.yaml`)) as { resources: string[]; patches: { path: string; target: { kind: string; name: string } }[] };
      expect(kustomization.resources).toEqual(['../../base']);
      expect(kustomization.patches).toEqual([{ path: `deployment-${overlay}.yaml`, target: { kind: 'Deployment', name: 'patchwindow-bot' } }]);
    }
  });

  it('every object names its namespace (patchwindow, or kured for the Role the bot needs there)', () => {
    for (const file of ['serviceaccount.yaml', 'pvc.yaml', 'deployment.yaml', 'service.yaml', 'rbac.yaml']) {
      for (const object of documents(`base/${file}`)) {
        const { kind, metadata } = object as { kind: string; metadata: { name: string; namespace?: string } };
        if (kind === 'ClusterRole' || kind === 'ClusterRoleBinding') continue;
        expect(['patchwindow', 'kured'], `${kind} ${metadata.name}`).toContain(metadata.namespace);
      }
    }
    expect(documents('base/namespace.yaml').map((namespace) => (namespace['metadata'] as { name: string }).name)).toEqual(['patchwindow', 'kured']);
  });
});

describe('the bot Deployment', () => {
  it('runs one bot at a time: one replica, Recreate, the SQLite file on a PVC', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    const pvc = documents('base/pvc.yaml')[0] as { metadata: { name: string }; spec: { accessModes: string[] } };
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    const data = pod.volumes.find((volume) => volume.persistentVolumeClaim?.claimName === pvc.metadata.name);
    expect(data).toBeDefined();
    const mount = container.volumeMounts.find((volumeMount) => volumeMount.name === data?.name);
    expect(environment()['PATCHWINDOW_DB']?.startsWith(`${mount?.mountPath ?? '?'}/`)).toBe(true);
  });

  it('probes /healthz (startup, liveness) and /readyz (readiness) on the port the bot listens on', () => {
    const port = container.ports.find((candidate) => candidate.name === 'http');
    expect(String(port?.containerPort)).toBe(environment()['PATCHWINDOW_HTTP_PORT']);
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    const service = documents('base/service.yaml')[0] as { spec: { selector: Record<string, string>; ports: { targetPort: string }[] } };
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0]?.targetPort).toBe('http');
  });

  it('is non-root with a read-only root filesystem, no privileges, a writable /tmp, and requests and limits', () => {
    expect(pod.serviceAccountName).toBe('patchwindow-bot');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const tmp = container.volumeMounts.find((volumeMount) => volumeMount.mountPath === '/tmp');
    expect(pod.volumes.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
  });

  it('takes its credentials from the Secret, and the safety net\'s image from its own container', () => {
    expect(container.args).toEqual(['bot']);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'patchwindow-secrets' } }]);
    // kustomize's replacement fills in the real image; the placeholder is the image's name
    expect(environment()['PATCHWINDOW_IMAGE']).toBe(container.image);
  });

  it.each([
    ['base', 'base/secret.template.yaml', [], { PATCHWINDOW_CONSOLE_TOKEN: 'a-console-token-of-32-characters' }],
    [
      'slack',
      'overlays/slack/secret.template.yaml',
      ['overlays/slack/deployment-slack.yaml'],
      { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-2-abc', PATCHWINDOW_SLACK_CHANNEL: 'C0123456789', PATCHWINDOW_APPROVERS: 'slack:U0123456789' },
    ],
    [
      'teams',
      'overlays/teams/secret.template.yaml',
      ['overlays/teams/deployment-teams.yaml'],
      {
        MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
        MicrosoftAppPassword: 'an-app-password',
        MicrosoftAppTenantId: '00000000-0000-0000-0000-000000000002',
        PATCHWINDOW_APPROVERS: 'teams:00000000-0000-0000-0000-000000000003',
      },
    ],
  ])('%s: the environment with its filled-in secret template is accepted by the bot\'s loader', (name, template, patches, values) => {
    const patched = patches.flatMap((file) => ((parse(read(file)) as Deployment).spec.template.spec.containers[0]?.env ?? []));
    const env = { ...environment(patched), ...filledTemplate(template, values), KUBERNETES_SERVICE_HOST: '10.0.0.1' };
    const config = loadConfig({ env, cwd: '/nonexistent' });
    expect(config.cluster.mode).toBe('kube');
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(config.kured.namespace).toBe('kured');
    expect(config.safetyNet).toMatchObject({ enabled: true, image: 'patchwindow' });
    if (name === 'slack') expect(config.slack.channel).toBe('C0123456789');
    if (name === 'teams') expect(config.teams.mode).toBe('on');
  });

  it.each(['base/secret.template.yaml', 'overlays/slack/secret.template.yaml', 'overlays/teams/secret.template.yaml'])(
    '%s names only known settings and holds no secret value',
    (template) => {
      const secret = parse(read(template)) as { kind: string; metadata: { name: string; namespace: string }; stringData: Record<string, string> };
      expect(secret).toMatchObject({ kind: 'Secret', metadata: { name: 'patchwindow-secrets', namespace: 'patchwindow' } });
      for (const [key, value] of Object.entries(secret.stringData)) {
        const definition = settingList.find((candidate) => candidate.env === key);
        expect(definition, key).toBeDefined();
        if (definition?.secret === true) expect(value, key).toBe('');
      }
    },
  );
});

describe('the bot RBAC', () => {
  it('binds its roles to the bot ServiceAccount only', () => {
    for (const binding of rbac.filter((object) => object.kind.endsWith('Binding'))) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'patchwindow-bot', namespace: 'patchwindow' }]);
      expect(binding.roleRef?.name).toBe(binding.metadata.name);
    }
    expect(rbacObject('Role', 'patchwindow-bot').metadata.namespace).toBe('kured');
    expect(rbacObject('Role', 'patchwindow-bot-leader-election').metadata.namespace).toBe('patchwindow');
  });

  it('holds every permission of kured\'s and the safety net\'s roles, so it creates and binds them without escalate or bind', () => {
    const created = [...kuredManifests(WINDOW), ...reaperAccessManifests('kured')] as (KubeManifest & { rules?: PolicyRule[] })[];
    const clusterRoles = created.filter((manifest) => manifest.kind === 'ClusterRole');
    const roles = created.filter((manifest) => manifest.kind === 'Role');
    expect(clusterRoles.map((role) => role.metadata.name).sort()).toEqual(['patchwindow-kured-kured', 'patchwindow-reaper-kured']);
    expect(roles.map((role) => role.metadata.name).sort()).toEqual(['kured', 'patchwindow-reaper']);
    // a ClusterRole (bound cluster-wide) must be covered by cluster-wide permissions alone
    for (const role of clusterRoles) expect(notCovered(clusterRules, role.rules ?? []), role.metadata.name).toEqual([]);
    for (const role of roles) expect(notCovered(inKuredNamespace, role.rules ?? []), role.metadata.name).toEqual([]);
    const everyRule = [...clusterRules, ...kuredNamespaceRules, ...leaseRules];
    expect(everyRule.flatMap((rule) => rule.verbs).filter((verb) => ['escalate', 'bind', 'impersonate', '*'].includes(verb))).toEqual([]);
    expect(everyRule.flatMap((rule) => [...(rule.resources ?? []), ...(rule.apiGroups ?? [])]).filter((value) => value === '*')).toEqual([]);
  });

  it('may apply every object a window deploys (server-side apply: patch, and create when missing, both by name), and delete what the removal deletes', () => {
    const applied = [...kuredManifests(WINDOW), ...reaperAccessManifests('kured'), reapJob(WINDOW, 'kured')];
    for (const manifest of applied) {
      const { group, resource, namespaced } = resourceOf(manifest.kind);
      const rules = namespaced ? inKuredNamespace : clusterRules;
      for (const verb of ['patch', 'create']) {
        expect(allows(rules, { group, resource, verb, name: manifest.metadata.name }), `${verb} ${manifest.kind} ${manifest.metadata.name}`).toBe(true);
      }
    }
    for (const ref of kuredObjectRefs('kured')) {
      const { group, resource, namespaced } = resourceOf(ref.kind ?? '');
      const rules = namespaced ? inKuredNamespace : clusterRules;
      expect(allows(rules, { group, resource, verb: 'delete', name: ref.metadata?.name }), `delete ${ref.kind ?? ''}`).toBe(true);
    }
    // the Jobs of every window: listed and deleted at close
    expect(allows(inKuredNamespace, { group: 'batch', resource: 'jobs', verb: 'list' })).toBe(true);
    expect(allows(inKuredNamespace, { group: 'batch', resource: 'jobs', verb: 'delete', name: 'patchwindow-reap-77' })).toBe(true);
  });

  it('watches nodes and pods, reads kured\'s pod log, holds its Lease', () => {
    const reads: ResourceRequest[] = ['get', 'list', 'watch'].flatMap((verb) => [
      { group: '', resource: 'nodes', verb },
      { group: '', resource: 'pods', verb },
    ]);
    for (const request of reads) expect(allows(clusterRules, request), JSON.stringify(request)).toBe(true);
    expect(allows(inKuredNamespace, { group: '', resource: 'pods/log', verb: 'get', name: 'kured-x7k2p' })).toBe(true);
    for (const verb of ['create', 'get', 'update']) {
      expect(allows(leaseRules, { group: 'coordination.k8s.io', resource: 'leases', verb, name: verb === 'create' ? undefined : 'patchwindow-bot' }), verb).toBe(true);
    }
  });

  it('may not read secrets, delete nodes, deploy elsewhere, touch other roles or other DaemonSets', () => {
    const refusedEverywhere: ResourceRequest[] = [
      { group: '', resource: 'secrets', verb: 'get', name: 'patchwindow-secrets' },
      { group: '', resource: 'secrets', verb: 'list' },
      { group: '', resource: 'nodes', verb: 'delete', name: 'node-a' },
      { group: '', resource: 'pods/exec', verb: 'create', name: 'kured-x7k2p' },
      { group: '', resource: 'namespaces', verb: 'delete', name: 'kured' },
      { group: '', resource: 'namespaces', verb: 'patch', name: 'kube-system' },
      { group: 'apps', resource: 'daemonsets', verb: 'create' },
      { group: 'apps', resource: 'deployments', verb: 'patch', name: 'patchwindow-bot' },
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'patch', name: 'cluster-admin' },
      { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verb: 'create' },
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'escalate', name: 'patchwindow-kured-kured' },
    ];
    for (const request of refusedEverywhere) expect(allows(inKuredNamespace, request), JSON.stringify(request)).toBe(false);
    const refusedInKured: ResourceRequest[] = [
      { group: 'apps', resource: 'daemonsets', verb: 'patch', name: 'something-else' },
      { group: 'rbac.authorization.k8s.io', resource: 'roles', verb: 'patch', name: 'admin' },
      { group: '', resource: 'serviceaccounts', verb: 'patch', name: 'default' },
      { group: '', resource: 'serviceaccounts/token', verb: 'create', name: 'kured' },
    ];
    for (const request of refusedInKured) expect(allows(inKuredNamespace, request), JSON.stringify(request)).toBe(false);
  });
});
