// Who the safety-net Job runs as: ServiceAccount `patchwindow-reaper` in kured's namespace with
// exactly what `patchwindow reap` does: read (for the window label) and delete kured's own
// objects, each by name. The bot applies these with kured (they stay between windows, like the
// namespace). Kubernetes lets a subject grant only permissions it holds itself, and the bot holds
// all of these (manifests/bot), so no `escalate` or `bind` is needed.
import { clusterRoleName, KURED_NAME, MANAGED_BY, MANAGED_BY_LABEL } from './kured-manifests.ts';
import type { KubeManifest } from './kured-manifests.ts';
import { COMPONENT_LABEL, REAPER_COMPONENT, REAPER_NAME } from './reap-job.ts';

/** Cluster-scoped names carry the namespace, as kured's own ClusterRole does. */
export function reaperClusterRoleName(namespace: string): string {
  return `${REAPER_NAME}-${namespace}`;
}

const RBAC = 'rbac.authorization.k8s.io';

/** ServiceAccount, Role + binding (kured's namespaced objects), ClusterRole + binding (kured's cluster-scoped ones). */
export function reaperAccessManifests(namespace: string): KubeManifest[] {
  const labels = { 'app.kubernetes.io/name': 'patchwindow', [COMPONENT_LABEL]: REAPER_COMPONENT, [MANAGED_BY_LABEL]: MANAGED_BY };
  const subject = { kind: 'ServiceAccount', name: REAPER_NAME, namespace };
  const clusterName = reaperClusterRoleName(namespace);
  const verbs = ['get', 'delete'];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: REAPER_NAME, namespace, labels } },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: REAPER_NAME, namespace, labels },
      rules: [
        { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: [KURED_NAME], verbs },
        { apiGroups: [''], resources: ['serviceaccounts'], resourceNames: [KURED_NAME], verbs },
        { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], resourceNames: [KURED_NAME], verbs },
      ],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { name: REAPER_NAME, namespace, labels },
      roleRef: { apiGroup: RBAC, kind: 'Role', name: REAPER_NAME },
      subjects: [subject],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: clusterName, labels },
      rules: [{ apiGroups: [RBAC], resources: ['clusterroles', 'clusterrolebindings'], resourceNames: [clusterRoleName(namespace)], verbs }],
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterName, labels },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: clusterName },
      subjects: [subject],
    },
  ];
}
