// Where the DrainTracker's information comes from on a real API server: kured's DaemonSet (its
// lock annotation) and the pods of one node through informers with field selectors, kured's log
// through PodLogFollower, and a namespace's PodDisruptionBudgets by a list.
// RBAC the bot needs for this: get/list/watch daemonsets in kured's namespace, list/watch pods,
// get pods/log in kured's namespace, list poddisruptionbudgets (policy) to name a refusing budget.
import { AppsV1Api, CoreV1Api, ListWatch, PolicyV1Api, Watch } from '@kubernetes/client-node';
import type { KubeConfig, V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { parseLabelSelector } from '../../../core/cluster/label-selector.ts';
import type { LabelSelector } from '../../../core/cluster/label-selector.ts';
import type { DrainTrackerSources, KuredDaemonSetView } from './drain-tracker.ts';
import { lockHolders, parseLockAnnotation, KURED_LOCK_ANNOTATION } from './kured-lock-annotation.ts';
import { drainPodSelectorArg } from './node-pods.ts';
import { PodLogFollower } from './pod-log-follower.ts';
import { RestartingInformer } from './restarting-informer.ts';

export interface DrainSourcesOptions {
  /** kured's DaemonSet: its lock annotation. */
  readonly daemonSet: { readonly namespace: string; readonly name: string };
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export function kubernetesDrainSources(kubeConfig: KubeConfig, options: DrainSourcesOptions): DrainTrackerSources {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const policy = kubeConfig.makeApiClient(PolicyV1Api);
  const backoff = { initialBackoffMs: options.initialBackoffMs, maxBackoffMs: options.maxBackoffMs };
  return {
    watchKured(onChange, onError) {
      const { namespace, name } = options.daemonSet;
      const fieldSelector = `metadata.name=${name}`;
      let holders: readonly string[] = [];
      let selector: LabelSelector | undefined;
      let seen: string | undefined;
      const informer: RestartingInformer<V1DaemonSet> = new RestartingInformer(
        new ListWatch<V1DaemonSet>(
          `/apis/apps/v1/namespaces/${namespace}/daemonsets`,
          new Watch(kubeConfig),
          () => apps.listNamespacedDaemonSet({ namespace, fieldSelector }),
          false,
          undefined,
          fieldSelector,
        ),
        {
          onChange: () => {
            const daemonSet = informer.list().find((candidate) => candidate.metadata?.name === name);
            const value = daemonSet?.metadata?.annotations?.[KURED_LOCK_ANNOTATION];
            const args = daemonSet?.spec?.template.spec?.containers.flatMap((container) => container.args ?? []) ?? [];
            const selectorText = drainPodSelectorArg(args);
            // Said once per lock value and selector, and once more when the list is complete (holders become known).
            const key = JSON.stringify([informer.synced, value ?? null, selectorText ?? null]);
            if (key === seen) return;
            seen = key;
            try {
              holders = lockHolders(parseLockAnnotation(value, 1));
            } catch (error) {
              holders = [];
              onError(error);
            }
            const parsed = selectorText === undefined ? undefined : parseLabelSelector(selectorText);
            selector = parsed?.ok === true ? parsed.selector : undefined;
            if (parsed?.ok === false) onError(new Error(`kured's --drain-pod-selector cannot be read, so every pod on a draining node is counted: ${parsed.message}`));
            onChange();
          },
          onError,
          ...backoff,
        },
      );
      const view: KuredDaemonSetView = {
        holders: () => (informer.synced ? holders : undefined),
        drainPodSelector: () => selector,
        start: () => {
          informer.start();
        },
        stop: () => informer.stop(),
      };
      return view;
    },

    watchPods(node, onChange, onError) {
      const fieldSelector = `spec.nodeName=${node}`;
      const informer = new RestartingInformer(
        new ListWatch<V1Pod>('/api/v1/pods', new Watch(kubeConfig), () => core.listPodForAllNamespaces({ fieldSelector }), false, undefined, fieldSelector),
        { onChange, onError, ...backoff },
      );
      informer.start();
      return {
        get synced() {
          return informer.synced;
        },
        pods: () => informer.list(),
        stop: () => informer.stop(),
      };
    },

    followLog(pod, onLine, onError) {
      return new PodLogFollower({ kubeConfig, namespace: pod.namespace, pod: pod.name, container: pod.container, onLine, onError, ...backoff });
    },

    async disruptionBudgets(namespace) {
      return (await policy.listNamespacedPodDisruptionBudget({ namespace })).items;
    },
  };
}
