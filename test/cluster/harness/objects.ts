// Objects the cluster tests create: kured's RBAC and DaemonSet (as kured's own manifests have
// them), a workload, a PodDisruptionBudget; and a create helper for the kinds used here.
import type { KubeClient } from './kube.ts';
import { KubeApiError } from './kube.ts';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const RESOURCES: Record<string, { prefix: string; plural: string; namespaced: boolean }> = {
  Namespace: { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps', namespaced: true },
  Pod: { prefix: '/api/v1', plural: 'pods', namespaced: true },
  ClusterRole: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  Role: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  RoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  DaemonSet: { prefix: '/apis/apps/v1', plural: 'daemonsets', namespaced: true },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  ReplicaSet: { prefix: '/apis/apps/v1', plural: 'replicasets', namespaced: true },
  PodDisruptionBudget: { prefix: '/apis/policy/v1', plural: 'poddisruptionbudgets', namespaced: true },
};

/** API path of an object (`withName`) or of its collection. */
export function resourcePath(manifest: Manifest, withName = true): string {
  const resource = RESOURCES[manifest.kind];
  if (resource === undefined) throw new Error(`resourcePath: kind ${manifest.kind} is not mapped`);
  const ns = resource.namespaced ? `/namespaces/${manifest.metadata.namespace ?? 'default'}` : '';
  return `${resource.prefix}${ns}/${resource.plural}${withName ? `/${manifest.metadata.name}` : ''}`;
}

/** Creates each object in order; an existing one is left as it is. */
export async function createObjects(api: KubeClient, manifests: readonly Manifest[]): Promise<void> {
  for (const manifest of manifests) {
    try {
      await api.create(resourcePath(manifest, false), manifest);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }
  }
}

export interface KuredObjectsOptions {
  readonly namespace?: string;
  readonly name?: string;
  readonly image?: string;
  readonly args?: readonly string[];
}

/**
 * kured's RBAC and DaemonSet as in kured's kured-rbac.yaml / kured-ds.yaml (ClusterRole: nodes
 * get/patch, pods get/list/delete, daemonsets get, pods/eviction create; Role: update of its own
 * DaemonSet for the lock). Nothing schedules the DaemonSet's pods here (the DaemonSet controller
 * is off): kured runs as host processes, and the object carries the lock annotation.
 */
export function kuredObjects(options: KuredObjectsOptions = {}): Manifest[] {
  const namespace = options.namespace ?? 'kube-system';
  const name = options.name ?? 'kured';
  const labels = { name };
  const subject = { kind: 'ServiceAccount', name, namespace };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete', 'get'] },
        { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [subject],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: [{ apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: [name], verbs: ['update'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [subject],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            hostPID: true,
            restartPolicy: 'Always',
            tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
            containers: [
              {
                name: 'kured',
                image: options.image ?? 'ghcr.io/kubereboot/kured:1.23.0',
                command: ['/usr/bin/kured'],
                args: [...(options.args ?? [])],
                securityContext: { privileged: true },
                env: [{ name: 'KURED_NODE_ID', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
              },
            ],
          },
        },
      },
    },
  ];
}

export function namespaceObject(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export interface WorkloadOptions {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  /** PodDisruptionBudget minAvailable (omit for no PDB). */
  readonly minAvailable?: number;
}

/** A Deployment spread over the nodes (soft topology spread) and optionally its PDB. */
export function workloadObjects(options: WorkloadOptions): Manifest[] {
  const labels = { app: options.name };
  const objects: Manifest[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: options.name, namespace: options.namespace, labels },
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 5,
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
            ],
            containers: [
              { name: 'app', image: 'registry.invalid/patchwindow/app:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
            ],
          },
        },
      },
    },
  ];
  if (options.minAvailable !== undefined) {
    objects.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: options.name, namespace: options.namespace },
      spec: { minAvailable: options.minAvailable, selector: { matchLabels: labels } },
    });
  }
  return objects;
}
