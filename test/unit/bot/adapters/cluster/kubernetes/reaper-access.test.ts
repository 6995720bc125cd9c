// The safety net's identity: it may read and delete exactly the objects the removal code removes
// (kured-removal.ts's list, so the two cannot drift apart), each by name, and nothing else.
import { describe, expect, it } from 'vitest';
import { kuredObjectRefs } from '../../../../../../bot/adapters/cluster/kubernetes/kured-removal.ts';
import type { KubeManifest } from '../../../../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { REAPER_NAME } from '../../../../../../bot/adapters/cluster/kubernetes/reap-job.ts';
import { reaperAccessManifests, reaperClusterRoleName } from '../../../../../../bot/adapters/cluster/kubernetes/reaper-access.ts';
import { allows, resourceOf } from '../../../../../support/rbac-rules.ts';
import type { PolicyRule } from '../../../../../support/rbac-rules.ts';

const manifests = reaperAccessManifests('kured');

function named(kind: string): KubeManifest & { rules?: PolicyRule[]; roleRef?: unknown; subjects?: unknown } {
  const found = manifests.find((manifest) => manifest.kind === kind);
  if (found === undefined) throw new Error(`no ${kind}`);
  return found;
}

const roleRules = named('Role').rules ?? [];
const clusterRules = named('ClusterRole').rules ?? [];

describe('reaperAccessManifests', () => {
  it('is a ServiceAccount with a Role in kured\'s namespace and a ClusterRole, each bound to it', () => {
    expect(manifests.map((manifest) => `${manifest.kind} ${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`)).toEqual([
      'ServiceAccount kured/patchwindow-reaper',
      'Role kured/patchwindow-reaper',
      'RoleBinding kured/patchwindow-reaper',
      'ClusterRole /patchwindow-reaper-kured',
      'ClusterRoleBinding /patchwindow-reaper-kured',
    ]);
    const subject = [{ kind: 'ServiceAccount', name: REAPER_NAME, namespace: 'kured' }];
    expect(named('RoleBinding')).toMatchObject({ roleRef: { kind: 'Role', name: REAPER_NAME }, subjects: subject });
    expect(named('ClusterRoleBinding')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'patchwindow-reaper-kured' }, subjects: subject });
    expect(reaperClusterRoleName('reboots')).toBe('patchwindow-reaper-reboots');
  });

  it('may read and delete every object the removal removes, by name', () => {
    for (const ref of kuredObjectRefs('kured')) {
      const { group, resource, namespaced } = resourceOf(ref.kind ?? '');
      const rules = namespaced ? roleRules : clusterRules;
      for (const verb of ['get', 'delete']) {
        expect(allows(rules, { group, resource, verb, name: ref.metadata?.name }), `${verb} ${ref.kind ?? ''} ${ref.metadata?.name ?? ''}`).toBe(true);
      }
    }
  });

  it('may do nothing else: other names, other verbs, other kinds', () => {
    const refused = [
      { group: 'apps', resource: 'daemonsets', verb: 'delete', name: 'patchwindow-agent' },
      { group: 'apps', resource: 'daemonsets', verb: 'patch', name: 'kured' },
      { group: 'apps', resource: 'daemonsets', verb: 'list' },
      { group: 'apps', resource: 'daemonsets', verb: 'create' },
      { group: '', resource: 'serviceaccounts', verb: 'delete', name: REAPER_NAME },
      { group: '', resource: 'pods', verb: 'delete', name: 'kured-abcde' },
      { group: '', resource: 'secrets', verb: 'get', name: 'kured' },
      { group: 'batch', resource: 'jobs', verb: 'delete', name: 'patchwindow-reap-1' },
      { group: 'rbac.authorization.k8s.io', resource: 'roles', verb: 'delete', name: REAPER_NAME },
      { group: 'rbac.authorization.k8s.io', resource: 'roles', verb: 'escalate', name: 'kured' },
    ];
    for (const request of refused) expect(allows(roleRules, request), JSON.stringify(request)).toBe(false);
    const refusedCluster = [
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'delete', name: 'cluster-admin' },
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'patch', name: 'patchwindow-kured-kured' },
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'delete', name: 'patchwindow-reaper-kured' },
      { group: '', resource: 'nodes', verb: 'get', name: 'node-a' },
    ];
    for (const request of refusedCluster) expect(allows(clusterRules, request), JSON.stringify(request)).toBe(false);
  });
});
