// Pods on a draining node as the drain sees them, the budget behind a refusal, and the drain
// progress made of both.
import { describe, expect, it } from 'vitest';
import { applyKuredLogEvent, NO_DRAIN_LOG } from '../../../../../../bot/adapters/cluster/kubernetes/drain-log-state.ts';
import { budgetFor, drainPodSelectorArg, drainProgressOf, isDrainable, isLeaving, isPodOf, podKey } from '../../../../../../bot/adapters/cluster/kubernetes/node-pods.ts';
import type { DisruptionBudgetLike, LabelSelectorLike, PodLike } from '../../../../../../bot/adapters/cluster/kubernetes/node-pods.ts';

function pod(name: string, extra: { namespace?: string; labels?: Record<string, string>; owner?: { kind: string; name: string; controller?: boolean }; phase?: string; mirror?: boolean; deleting?: boolean } = {}): PodLike {
  return {
    metadata: {
      name,
      namespace: extra.namespace ?? 'shop',
      labels: extra.labels ?? {},
      annotations: extra.mirror === true ? { 'kubernetes.io/config.mirror': 'abc' } : {},
      ownerReferences: extra.owner === undefined ? [] : [{ controller: true, ...extra.owner }],
      ...(extra.deleting === true ? { deletionTimestamp: new Date('2026-03-07T21:05:02Z') } : {}),
    },
    spec: { nodeName: 'node-1' },
    status: { phase: extra.phase ?? 'Running' },
  };
}

const budget = (name: string, selector: LabelSelectorLike | undefined, namespace = 'shop'): DisruptionBudgetLike => ({
  metadata: { name, namespace },
  spec: selector === undefined ? {} : { selector },
});

describe('pods on a draining node', () => {
  it('counts what the drain evicts: not DaemonSet pods, not mirror pods, not finished pods', () => {
    expect(isDrainable(pod('web-0', { owner: { kind: 'ReplicaSet', name: 'web-7c9d' } }))).toBe(true);
    expect(isDrainable(pod('bare'))).toBe(true);
    expect(isDrainable(pod('terminating', { deleting: true }))).toBe(true);
    expect(isDrainable(pod('kured-x', { namespace: 'kured', owner: { kind: 'DaemonSet', name: 'kured' } }))).toBe(false);
    expect(isDrainable(pod('kube-apiserver-node-1', { namespace: 'kube-system', mirror: true }))).toBe(false);
    expect(isDrainable(pod('job-1', { phase: 'Succeeded' }))).toBe(false);
    expect(isDrainable(pod('job-2', { phase: 'Failed' }))).toBe(false);
    expect(isDrainable(pod('pending', { phase: 'Pending' }))).toBe(true);
    // owned by a DaemonSet but not as its controller: the drain evicts it
    expect(isDrainable(pod('adopted', { owner: { kind: 'DaemonSet', name: 'x', controller: false } }))).toBe(true);
  });

  it("leaves out pods kured's --drain-pod-selector does not select", () => {
    const selector = { requirements: [{ key: 'app', operator: 'in' as const, values: ['web'] }] };
    expect(isDrainable(pod('web-0', { labels: { app: 'web' } }), selector)).toBe(true);
    expect(isDrainable(pod('cache-0', { labels: { app: 'cache' } }), selector)).toBe(false);
    expect(isDrainable(pod('bare'), selector)).toBe(false);
  });

  it('reads --drain-pod-selector from kured arguments in both flag forms', () => {
    expect(drainPodSelectorArg(['--period=1m', '--drain-pod-selector=app in (web,api),tier!=db'])).toBe('app in (web,api),tier!=db');
    expect(drainPodSelectorArg(['--drain-pod-selector', 'app=web', '--concurrency=1'])).toBe('app=web');
    expect(drainPodSelectorArg(['--period=1m'])).toBeUndefined();
    expect(drainPodSelectorArg(['--drain-pod-selector='])).toBeUndefined();
    expect(drainPodSelectorArg(['--drain-pod-selector'])).toBeUndefined();
  });

  it('knows terminating pods and kured pods', () => {
    expect(isLeaving(pod('a', { deleting: true }))).toBe(true);
    expect(isLeaving(pod('a'))).toBe(false);
    const kured = pod('kured-8xk2p', { namespace: 'kured', owner: { kind: 'DaemonSet', name: 'kured' } });
    expect(isPodOf(kured, { namespace: 'kured', name: 'kured' })).toBe(true);
    expect(isPodOf(kured, { namespace: 'kube-system', name: 'kured' })).toBe(false);
    expect(isPodOf(pod('agent', { namespace: 'kured', owner: { kind: 'DaemonSet', name: 'agent' } }), { namespace: 'kured', name: 'kured' })).toBe(false);
    expect(podKey(kured)).toBe('kured/kured-8xk2p');
  });
});

describe('budgetFor', () => {
  const web = pod('web-0', { labels: { app: 'web', tier: 'front' } });

  it('finds the budget whose selector matches the pod in its namespace', () => {
    const budgets = [
      budget('other-ns', { matchLabels: { app: 'web' } }, 'elsewhere'),
      budget('db', { matchLabels: { app: 'db' } }),
      budget('web', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] }),
    ];
    expect(budgetFor(web, budgets)?.metadata?.name).toBe('web');
  });

  it('reads every selector operator; an empty selector matches all, a missing one none', () => {
    expect(budgetFor(web, [budget('b', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] })])).toBeDefined();
    expect(budgetFor(web, [budget('b', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] })])).toBeDefined();
    expect(budgetFor(web, [budget('b', { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] })])).toBeDefined();
    expect(budgetFor(web, [budget('b', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] })])).toBeUndefined();
    expect(budgetFor(web, [budget('b', { matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] })])).toBeUndefined();
    expect(budgetFor(web, [budget('all', {})])?.metadata?.name).toBe('all');
    expect(budgetFor(web, [budget('none', undefined)])).toBeUndefined();
  });
});

describe('drainProgressOf', () => {
  const pods = [pod('web-0'), pod('web-1'), pod('kured-x', { namespace: 'kured', owner: { kind: 'DaemonSet', name: 'kured' } })];
  const refusedBy = (byDisruptionBudget: boolean) =>
    applyKuredLogEvent(NO_DRAIN_LOG, { kind: 'eviction-refused', pod: { namespace: 'shop', name: 'web-1' }, byDisruptionBudget, message: 'm' });

  it('counts the pods left and names nothing while no eviction is refused', () => {
    expect(drainProgressOf(pods, NO_DRAIN_LOG, () => 'shop/web')).toEqual({ podsLeft: 2, blockedBy: undefined });
  });

  it('names the budget of a budget refusal, or the pod when it has none or it cannot be read', () => {
    expect(drainProgressOf(pods, refusedBy(true), (key) => (key === 'shop/web-1' ? 'shop/web' : null))).toEqual({ podsLeft: 2, blockedBy: 'PodDisruptionBudget shop/web' });
    expect(drainProgressOf(pods, refusedBy(true), () => null)).toEqual({ podsLeft: 2, blockedBy: 'pod shop/web-1' });
    expect(drainProgressOf(pods, refusedBy(false), () => 'shop/web')).toEqual({ podsLeft: 2, blockedBy: 'pod shop/web-1' });
  });

  it('does not report a budget refusal while its budget is being looked up (the next refusal instead)', () => {
    expect(drainProgressOf(pods, refusedBy(true), () => undefined)).toEqual({ podsLeft: 2, blockedBy: undefined });
    const two = applyKuredLogEvent(refusedBy(true), { kind: 'eviction-refused', pod: { namespace: 'shop', name: 'web-0' }, byDisruptionBudget: false, message: 'm' });
    expect(drainProgressOf(pods, two, () => undefined)).toEqual({ podsLeft: 2, blockedBy: 'pod shop/web-0' });
  });
});
