// The Helm chart (manifests/helm/patchwindow) and the kustomize manifests it must match, rendered
// by the real binaries of the tier (helm, and kustomize built into kubectl), and the objects they
// produce put side by side: normalise() drops only what Helm adds by design (its standard labels,
// helm.sh/* annotations) and empty lists (kustomize's `$patch: delete` of a list's only item leaves
// `[]`), so any other difference between the two is a drift the comparison reports.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import type { Manifest } from './objects.ts';
import { REPO_ROOT } from './tools.ts';
import type { ClusterTools } from './tools.ts';

const run = promisify(execFile);

export const CHART_DIR = path.join(REPO_ROOT, 'manifests', 'helm', 'patchwindow');

/** Labels Helm's charts put on objects that kustomize does not; everything else must match. */
export const HELM_ONLY_LABELS = ['app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'helm.sh/chart'] as const;

export interface HelmRunner {
  /** Runs helm with its cache, config and data under `home` (nothing from this machine's). */
  helm(args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  /** `helm template <release> <chart> -n <namespace>` with `values` as a values file; parsed. */
  template(options: TemplateOptions): Promise<Rendered>;
  /** `kubectl kustomize <dir>`, parsed. */
  kustomize(dir: string): Promise<Rendered>;
}

export interface TemplateOptions {
  readonly release: string;
  readonly namespace: string;
  readonly values?: Record<string, unknown>;
  /** Values file name under home (default: values-<release>.yaml). */
  readonly name?: string;
}

export interface Rendered {
  readonly yaml: string;
  readonly manifests: Manifest[];
}

/** Documents of a multi-document YAML stream; empty documents (a template rendering nothing) skipped. */
export function parseManifests(yaml: string, what: string): Manifest[] {
  return parseAllDocuments(yaml).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${what}: ${document.errors.map((error) => error.message).join('; ')}`);
    const value = document.toJS() as Manifest | null;
    return value === null ? [] : [value];
  });
}

export function helmRunner(tools: ClusterTools, home: string): HelmRunner {
  mkdirSync(home, { recursive: true });
  const env = {
    PATH: process.env['PATH'],
    HOME: home,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
  const helm = async (args: readonly string[]): Promise<{ stdout: string; stderr: string }> => {
    try {
      return await run(tools.path('helm'), [...args], { env, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`helm ${args.join(' ')} failed: ${stderr.trim()}`, { cause: error });
    }
  };
  return {
    helm,
    async template({ release, namespace, values = {}, name = `values-${release}.yaml` }) {
      const file = path.join(home, name);
      writeFileSync(file, stringify(values));
      const { stdout } = await helm(['template', release, CHART_DIR, '--namespace', namespace, '--values', file]);
      return { yaml: stdout, manifests: parseManifests(stdout, `helm template ${release}`) };
    },
    async kustomize(dir) {
      const { stdout } = await run(tools.path('kubectl'), ['kustomize', dir], { env: { PATH: process.env['PATH'], HOME: home }, maxBuffer: 16 * 1024 * 1024 });
      return { yaml: stdout, manifests: parseManifests(stdout, `kubectl kustomize ${dir}`) };
    },
  };
}

/** API paths of the kinds the chart renders (harness/objects.ts's resourcePath knows fewer). */
const API: Record<string, { prefix: string; plural: string; namespaced: boolean }> = {
  Namespace: { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  Service: { prefix: '/api/v1', plural: 'services', namespaced: true },
  PersistentVolumeClaim: { prefix: '/api/v1', plural: 'persistentvolumeclaims', namespaced: true },
  ClusterRole: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  Role: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  RoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  DaemonSet: { prefix: '/apis/apps/v1', plural: 'daemonsets', namespaced: true },
  ServiceMonitor: { prefix: '/apis/monitoring.coreos.com/v1', plural: 'servicemonitors', namespaced: true },
  PodMonitor: { prefix: '/apis/monitoring.coreos.com/v1', plural: 'podmonitors', namespaced: true },
};

export function apiPath(manifest: Manifest): string {
  const resource = API[manifest.kind];
  if (resource === undefined) throw new Error(`apiPath: kind ${manifest.kind} is not mapped`);
  const namespace = resource.namespaced ? `/namespaces/${manifest.metadata.namespace ?? 'default'}` : '';
  return `${resource.prefix}${namespace}/${resource.plural}/${manifest.metadata.name}`;
}

export const objectKey = (manifest: Manifest): string => `${manifest.kind}/${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`;

/** Without empty lists, object keys sorted (the two renderers order keys differently). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => !(Array.isArray(field) && field.length === 0))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, field]) => [key, canonical(field)]),
  );
}

function withoutKeys(record: Record<string, string> | undefined, drop: (key: string) => boolean): Record<string, string> | undefined {
  if (record === undefined) return undefined;
  const kept = Object.fromEntries(Object.entries(record).filter(([key]) => !drop(key)));
  return Object.keys(kept).length === 0 ? undefined : kept;
}

interface PodTemplateHolder {
  spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
}

/**
 * Objects keyed by kind/namespace/name, without Helm's own labels (on objects and pod templates)
 * and helm.sh/* annotations, and without empty lists; keys sorted, so two renderings compare
 * with toEqual and print the same way.
 */
export function normalise(manifests: readonly Manifest[]): Record<string, unknown> {
  const helmLabel = (key: string): boolean => (HELM_ONLY_LABELS as readonly string[]).includes(key);
  const entries = manifests.map((manifest): [string, unknown] => {
    const copy = structuredClone(manifest);
    const labels = withoutKeys(copy.metadata.labels, helmLabel);
    const annotations = withoutKeys(copy.metadata.annotations, (key) => key.startsWith('helm.sh/'));
    copy.metadata = { ...copy.metadata, labels: labels ?? {}, annotations: annotations ?? {} };
    if (labels === undefined) delete (copy.metadata as { labels?: unknown }).labels;
    if (annotations === undefined) delete (copy.metadata as { annotations?: unknown }).annotations;
    const template = (copy as PodTemplateHolder).spec?.template?.metadata;
    if (template?.labels !== undefined) template.labels = withoutKeys(template.labels, helmLabel) ?? {};
    return [objectKey(manifest), canonical(copy)];
  });
  const keys = entries.map(([key]) => key);
  const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
  if (duplicate !== undefined) throw new Error(`${duplicate} is rendered twice`);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** The environment variable names of every container in Deployments and DaemonSets. */
export function containerEnvNames(manifests: readonly Manifest[]): string[] {
  return manifests.flatMap((manifest) => {
    const containers = (manifest as { spec?: { template?: { spec?: { containers?: { env?: { name: string }[] }[] } } } }).spec?.template?.spec?.containers ?? [];
    return containers.flatMap((container) => (container.env ?? []).map((variable) => variable.name));
  });
}

/**
 * Minimal CustomResourceDefinitions for the Prometheus Operator's ServiceMonitor and PodMonitor
 * (the real ones cannot be downloaded here): the same group, version, kinds and names, and a
 * structural schema with the real field names and types for every field the chart sets and
 * nothing else (required: what the real ones require), so a misspelt or misplaced field is
 * refused under strict field validation.
 */
export function monitoringCrds(): Manifest[] {
  const duration = { type: 'string', pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' };
  const labelSelector = {
    type: 'object',
    properties: {
      matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
      matchExpressions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['key', 'operator'],
          properties: { key: { type: 'string' }, operator: { type: 'string' }, values: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
    'x-kubernetes-map-type': 'atomic',
  };
  const endpoint = { type: 'object', properties: { port: { type: 'string' }, path: { type: 'string' }, interval: duration, scrapeTimeout: duration } };
  const crd = (kind: string, plural: string, spec: Record<string, unknown>, required: string[]): Manifest => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: 'monitoring.coreos.com',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', required, properties: spec } },
            },
          },
        },
      ],
    },
  });
  return [
    crd('ServiceMonitor', 'servicemonitors', { selector: labelSelector, endpoints: { type: 'array', items: endpoint } }, ['endpoints', 'selector']),
    crd('PodMonitor', 'podmonitors', { selector: labelSelector, podMetricsEndpoints: { type: 'array', items: endpoint } }, ['selector']),
  ];
}
