// The pods on a draining node as the drain sees them, and the PodDisruptionBudget behind a
// refused eviction. Pure.
// A drain (k8s.io/kubectl/pkg/drain with kured's options) leaves DaemonSet pods and mirror (static)
// pods where they are, and finished pods need no eviction, nor do pods outside kured's
// --drain-pod-selector: the rest is what is still to go. Terminating pods still count: the drain
// waits until they are gone.
import { matchesLabels } from '../../../core/cluster/label-selector.ts';
import type { LabelRequirement, LabelSelector } from '../../../core/cluster/label-selector.ts';
import type { DrainProgress } from '../../../core/ports/cluster-port.ts';
import type { DrainLogState } from './drain-log-state.ts';
import { podKeyOf } from './drain-log-state.ts';

/** The parts of a V1Pod read here (V1Pod fits it). */
export interface PodLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly { readonly kind: string; readonly name: string; readonly controller?: boolean }[];
    readonly deletionTimestamp?: Date | string;
  };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

/** The parts of a policy/v1 PodDisruptionBudget read here (V1PodDisruptionBudget fits it). */
export interface DisruptionBudgetLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly selector?: LabelSelectorLike };
}

export interface LabelSelectorLike {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export function podKey(pod: PodLike): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** A pod the drain still has to evict (or is waiting for); `selector` is kured's --drain-pod-selector. */
export function isDrainable(pod: PodLike, selector?: LabelSelector): boolean {
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return false;
  if (selector !== undefined && !matchesLabels(selector, pod.metadata?.labels ?? {})) return false;
  if (pod.metadata?.ownerReferences?.some((owner) => owner.kind === 'DaemonSet' && owner.controller === true) === true) return false;
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Gone from the drain's point of view: deleted, or terminating (an eviction succeeded). */
export function isLeaving(pod: PodLike): boolean {
  return pod.metadata?.deletionTimestamp !== undefined;
}

/** A pod of the DaemonSet `namespace/name` (kured's, on its node). */
export function isPodOf(pod: PodLike, daemonSet: { readonly namespace: string; readonly name: string }): boolean {
  return (
    pod.metadata?.namespace === daemonSet.namespace &&
    pod.metadata.ownerReferences?.some((owner) => owner.kind === 'DaemonSet' && owner.name === daemonSet.name && owner.controller === true) === true
  );
}

/**
 * The budget the eviction API checks for `pod`: one in its namespace whose selector matches its
 * labels (policy/v1: an empty selector matches every pod, a missing one none).
 */
export function budgetFor(pod: PodLike, budgets: readonly DisruptionBudgetLike[]): DisruptionBudgetLike | undefined {
  const labels = pod.metadata?.labels ?? {};
  return budgets.find((budget) => {
    if (budget.metadata?.namespace !== pod.metadata?.namespace) return false;
    const selector = budget.spec?.selector;
    return selector !== undefined && matchesLabels({ requirements: requirementsOf(selector) }, labels);
  });
}

/**
 * Drain progress of a node: the pods still to go, and what blocks the drain right now, from the
 * oldest outstanding refusal: `PodDisruptionBudget shop/web` when the budget is known, else
 * `pod shop/web-0`. `budgetOfPod` answers `namespace/name` of the budget, null when there is none
 * (or it cannot be read), undefined while it is still being looked up: such a refusal is not
 * reported yet, so the channel does not hear of the pod first and of its budget a moment later.
 */
export function drainProgressOf(
  pods: readonly PodLike[],
  log: DrainLogState,
  budgetOfPod: (key: string) => string | null | undefined,
  selector?: LabelSelector,
): DrainProgress {
  const podsLeft = pods.filter((pod) => isDrainable(pod, selector)).length;
  for (const refusal of log.refusals.values()) {
    const key = podKeyOf(refusal.pod);
    if (!refusal.byDisruptionBudget) return { podsLeft, blockedBy: `pod ${key}` };
    const budget = budgetOfPod(key);
    if (budget === undefined) continue;
    return { podsLeft, blockedBy: budget === null ? `pod ${key}` : `PodDisruptionBudget ${budget}` };
  }
  return { podsLeft, blockedBy: undefined };
}

/** kured's --drain-pod-selector among its container's arguments (`--flag=value` or `--flag value`), if set. */
export function drainPodSelectorArg(args: readonly string[]): string | undefined {
  let found: string | undefined;
  args.forEach((arg, index) => {
    if (arg.startsWith('--drain-pod-selector=')) found = arg.slice('--drain-pod-selector='.length);
    else if (arg === '--drain-pod-selector') found = args[index + 1];
  });
  return found === undefined || found.trim() === '' ? undefined : found;
}

function requirementsOf(selector: LabelSelectorLike): LabelRequirement[] {
  const requirements: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, operator: 'equals', value }));
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...new Set(expression.values ?? [])].sort();
    switch (expression.operator) {
      case 'In':
        requirements.push({ key: expression.key, operator: 'in', values });
        break;
      case 'NotIn':
        requirements.push({ key: expression.key, operator: 'notIn', values });
        break;
      case 'Exists':
        requirements.push({ key: expression.key, operator: 'exists' });
        break;
      case 'DoesNotExist':
        requirements.push({ key: expression.key, operator: 'doesNotExist' });
        break;
      default:
        // An operator the API server would have refused: match nothing rather than everything.
        requirements.push({ key: expression.key, operator: 'in', values: [] });
    }
  }
  return requirements;
}
