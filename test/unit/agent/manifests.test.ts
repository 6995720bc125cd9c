// The agent manifests keep their promises: least-privilege RBAC, a DaemonSet on every node with a
// read-only view of /var/run, and settings the agent's own loader accepts (in both modes).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../../bot/config/load-config.ts';
import { settingList } from '../../../bot/config/settings.ts';

const read = (path: string): string => readFileSync(new URL(`../../../manifests/agent/${path}`, import.meta.url), 'utf8');
const documents = (path: string): Record<string, unknown>[] => parseAllDocuments(read(path)).map((document) => document.toJSON() as Record<string, unknown>);

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
  $patch?: string;
}
interface Container {
  name: string;
  args: string[];
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName: string;
  hostPID?: boolean;
  tolerations: Record<string, string>[];
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: { name: string; hostPath: { path: string; type: string } }[];
}
interface DaemonSet {
  spec: { template: { spec: PodSpec } };
}

const base = parse(read('base/kustomization.yaml')) as { namespace: string; resources: string[] };
const daemonSet = documents('base/daemonset.yaml')[0] as unknown as DaemonSet;
const pod = daemonSet.spec.template.spec;
const container = pod.containers[0] as Container;
const overlay = (parse(read('overlays/command-mode/daemonset-command-mode.yaml')) as DaemonSet).spec.template.spec;
const overlayContainer = overlay.containers[0] as Container;

/** The container's environment as the agent's loader sees it (downward API values filled in). */
function environment(env: readonly EnvVar[]): Record<string, string> {
  return Object.fromEntries(env.map((variable) => [variable.name, variable.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName' ? 'node-a' : (variable.value ?? '')]));
}

describe('agent RBAC', () => {
  const [role, binding] = documents('base/rbac.yaml');

  it('grants exactly get and patch on nodes and patch on nodes/status', () => {
    expect(role).toMatchObject({ kind: 'ClusterRole', metadata: { name: 'patchwindow-agent' } });
    expect(role?.['rules']).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
    ]);
  });

  it('binds the role to the DaemonSet\'s ServiceAccount in the kustomization\'s namespace', () => {
    const serviceAccount = documents('base/serviceaccount.yaml')[0] as { metadata: { name: string } };
    expect(binding).toMatchObject({
      kind: 'ClusterRoleBinding',
      roleRef: { kind: 'ClusterRole', name: 'patchwindow-agent' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: base.namespace }],
    });
    expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(base.resources).toEqual(['namespace.yaml', 'serviceaccount.yaml', 'rbac.yaml', 'daemonset.yaml']);
  });
});

describe('agent DaemonSet (file mode)', () => {
  it('runs on every node, whatever its taints', () => {
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('runs as non-root with a read-only root filesystem, no privileges and bounded resources', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.hostPID).toBeUndefined();
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
  });

  it('sees the host\'s /var/run read-only, and looks for the sentinel there', () => {
    expect(pod.volumes).toEqual([{ name: 'host-var-run', hostPath: { path: '/var/run', type: 'Directory' } }]);
    expect(container.volumeMounts).toEqual([{ name: 'host-var-run', mountPath: '/host/var/run', readOnly: true }]);
    expect(environment(container.env)['PATCHWINDOW_AGENT_SENTINEL_FILE']).toBe('/host/var/run/reboot-required');
  });

  it('takes NODE_NAME from the downward API', () => {
    expect(container.env.find((variable) => variable.name === 'NODE_NAME')).toEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });

  it('sets only real settings (and the Node runtime\'s NODE_OPTIONS), which the agent\'s loader accepts', () => {
    const known = new Set([...settingList.map((definition) => definition.env), 'NODE_OPTIONS']);
    expect(container.env.map((variable) => variable.name).filter((name) => !known.has(name))).toEqual([]);
    const config = loadConfig({ env: environment(container.env), cwd: '/nonexistent' });
    expect(config.agent).toMatchObject({ nodeName: 'node-a', host: '0.0.0.0', sentinelCommand: undefined });
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: config.agent.port, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.args).toEqual(['agent']);
  });

  it('bounds V8\'s old space below the memory limit the cluster tier measured against', () => {
    expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=96' });
  });
});

describe('agent command-mode overlay', () => {
  it('runs in the host PID namespace, privileged, with nsenter on', () => {
    expect(overlay.hostPID).toBe(true);
    expect(overlayContainer.securityContext).toMatchObject({ privileged: true, allowPrivilegeEscalation: true });
    expect(overlay.securityContext).toMatchObject({ runAsNonRoot: false, runAsUser: 0 });
  });

  it('drops the hostPath, which command mode does not need', () => {
    expect(overlay.volumes).toEqual([{ name: 'host-var-run', $patch: 'delete' }]);
    expect(overlayContainer.volumeMounts).toEqual([{ mountPath: '/host/var/run', $patch: 'delete' }]);
  });

  it('gives the agent a sentinel command its loader accepts', () => {
    const deleted = new Set(overlayContainer.env.filter((variable) => variable.$patch === 'delete').map((variable) => variable.name));
    const merged = [...container.env.filter((variable) => !deleted.has(variable.name)), ...overlayContainer.env.filter((variable) => variable.$patch === undefined)];
    const config = loadConfig({ env: environment(merged), cwd: '/nonexistent' });
    expect(config.agent).toMatchObject({ sentinelCommand: ['needs-restarting', '-r'], rebootExitCode: 1, nsenter: true });
  });
});
