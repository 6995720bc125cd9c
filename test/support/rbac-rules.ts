// RBAC rules evaluated the way the API server's authorizer and its escalation check read them,
// for the unit tests of manifests: may a subject holding `held` do this request, and does it hold
// everything a role it creates grants (so it needs no `escalate` or `bind`)?

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
}

export interface ResourceRequest {
  readonly group: string;
  /** Plural, with a subresource as `pods/eviction`. */
  readonly resource: string;
  readonly verb: string;
  /**
   * The object's name; undefined for a create by POST and for list and watch of a collection.
   * A server-side apply that creates is authorized as `create` with the name from its URL.
   */
  readonly name?: string | undefined;
}

const matches = (values: readonly string[] | undefined, value: string): boolean => values !== undefined && (values.includes('*') || values.includes(value));

export function ruleAllows(rule: PolicyRule, request: ResourceRequest): boolean {
  if (!matches(rule.apiGroups, request.group) || !matches(rule.resources, request.resource) || !matches(rule.verbs, request.verb)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== undefined && names.includes(request.name));
}

export function allows(rules: readonly PolicyRule[], request: ResourceRequest): boolean {
  return rules.some((rule) => ruleAllows(rule, request));
}

/** Every request `granted` allows, one per group × resource × verb × name. */
export function requestsOf(granted: PolicyRule): ResourceRequest[] {
  const names: (string | undefined)[] = granted.resourceNames === undefined || granted.resourceNames.length === 0 ? [undefined] : [...granted.resourceNames];
  return (granted.apiGroups ?? []).flatMap((group) =>
    (granted.resources ?? []).flatMap((resource) => granted.verbs.flatMap((verb) => names.map((name) => ({ group, resource, verb, name })))),
  );
}

/** What `granted` allows that `held` does not (empty: creating or binding it is no escalation). */
export function notCovered(held: readonly PolicyRule[], granted: readonly PolicyRule[]): ResourceRequest[] {
  return granted.flatMap(requestsOf).filter((request) => !allows(held, request));
}

/** Plural resource and API group of the kinds patchwindow manifests contain. */
export const KIND_RESOURCES: Readonly<Record<string, { readonly group: string; readonly resource: string; readonly namespaced: boolean }>> = {
  Namespace: { group: '', resource: 'namespaces', namespaced: false },
  ServiceAccount: { group: '', resource: 'serviceaccounts', namespaced: true },
  ClusterRole: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', namespaced: false },
  Role: { group: 'rbac.authorization.k8s.io', resource: 'roles', namespaced: true },
  RoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespaced: true },
  DaemonSet: { group: 'apps', resource: 'daemonsets', namespaced: true },
  Job: { group: 'batch', resource: 'jobs', namespaced: true },
};

export function resourceOf(kind: string): { readonly group: string; readonly resource: string; readonly namespaced: boolean } {
  const found = KIND_RESOURCES[kind];
  if (found === undefined) throw new Error(`no resource known for kind ${kind}`);
  return found;
}
