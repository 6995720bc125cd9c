// The harness playing the DaemonSet controller for kured's DaemonSet (kube-controller-manager runs
// here without it): while the DaemonSet exists, each simulated node its pod template may run on
// gets a kured Pod bound to it (owned by the DaemonSet as the controller would, so deleting the
// DaemonSet makes the garbage collector delete them); the simulated kubelet makes it Running.
// A Running kured pod starts that node's kured process (node-daemons.ts, autoStart off); a pod
// being deleted stops it. The pods' logs are those processes' output: containerLog() resolves a
// pod to its node's current incarnation, for the kubelet log server.
// Not played: rolling updates of a changed template (pods are only created where missing).
import type { TestCluster } from './cluster.ts';
import type { ContainerLog } from './container-log.ts';
import type { Informer } from './kube.ts';
import type { DaemonSet, KubeObject, Node, Pod } from './kube-types.ts';
import { isPodReady } from './kube-types.ts';
import type { NodeDaemons } from './node-daemons.ts';
import type { SimulatedNodes } from './nodes.ts';

export interface KuredPodsOptions {
  readonly cluster: TestCluster;
  readonly nodes: SimulatedNodes;
  /** Started with autoStart: false; started and stopped here as kured pods come and go. */
  readonly daemons: NodeDaemons;
  readonly namespace: string;
  readonly name: string;
}

export interface KuredPods {
  /** kured's pod on `node` (not being deleted), if any. */
  podOn(node: string): Pod | undefined;
  /** For the kubelet log server: the output of the node daemon behind a kured pod. */
  containerLog(namespace: string, pod: string, container: string): ContainerLog | undefined;
  /** Stops watching; throws what went wrong meanwhile. */
  stop(): Promise<void>;
}

interface DaemonSetSpec {
  template: {
    metadata?: { labels?: Record<string, string> };
    spec: {
      containers: { name: string }[];
      affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: NodeSelectorRequirement[] }[] } } };
      [field: string]: unknown;
    };
  };
}

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export function startKuredPods(options: KuredPodsOptions): KuredPods {
  const { cluster, nodes, daemons, namespace, name } = options;
  const daemonSets: Informer<DaemonSet> = cluster.admin.informer<DaemonSet>(`/apis/apps/v1/namespaces/${namespace}/daemonsets`);
  const errors: unknown[] = [];
  /** Pods created per node that the pod informer may not show yet: never create a second one. */
  const created = new Map<string, string>();
  let stopped = false;
  let queue = Promise.resolve();

  const ownedPods = (uid: string | undefined): Pod[] =>
    nodes.podInformer
      .items()
      .filter((pod) => pod.metadata.namespace === namespace && pod.metadata.ownerReferences?.some((owner) => owner.kind === 'DaemonSet' && owner.name === name && (uid === undefined || owner.uid === uid)) === true);

  const podOn = (node: string): Pod | undefined => ownedPods(undefined).find((pod) => pod.spec.nodeName === node && pod.metadata.deletionTimestamp === undefined);

  async function reconcile(): Promise<void> {
    if (stopped) return;
    const daemonSet = daemonSets.get(`${namespace}/${name}`);
    const live = daemonSet !== undefined && daemonSet.metadata.deletionTimestamp === undefined ? daemonSet : undefined;
    const spec = live?.spec as DaemonSetSpec | undefined;
    for (const node of nodes.names) {
      const pod = podOn(node);
      const fits = spec !== undefined && runsOn(spec, nodes.nodeInformer.get(node));
      const awaited = created.get(node);
      if (pod === undefined && awaited !== undefined && nodes.podInformer.get(`${namespace}/${awaited}`) === undefined) continue;
      created.delete(node);
      if (live !== undefined && spec !== undefined && fits && pod === undefined) {
        const made = await cluster.admin.create<Pod>(`/api/v1/namespaces/${namespace}/pods`, podFor(live, spec, node));
        created.set(node, made.metadata.name);
        continue; // the kubelet makes it Running; that event brings us back
      }
      if (pod !== undefined && pod.metadata.ownerReferences?.some((owner) => owner.uid === live?.metadata.uid) === true && isPodReady(pod)) {
        await daemons.startOn(node);
      } else if (pod === undefined) {
        await daemons.stopOn(node);
      }
    }
  }

  const schedule = (): void => {
    queue = queue.then(reconcile).catch((error: unknown) => {
      errors.push(error);
    });
  };
  const offDaemonSets = daemonSets.onEvent(schedule);
  const offPods = nodes.podInformer.onEvent((type, pod) => {
    if (pod.metadata.namespace !== namespace) return;
    if (type === 'DELETED' && pod.spec.nodeName !== undefined && created.get(pod.spec.nodeName) === pod.metadata.name) created.delete(pod.spec.nodeName);
    schedule();
  });
  void daemonSets.synced.then(schedule, (error: unknown) => errors.push(error));

  return {
    podOn,
    containerLog(podNamespace, podName, container) {
      if (podNamespace !== namespace) return undefined;
      const pod = ownedPods(undefined).find((candidate) => candidate.metadata.name === podName);
      const nodeName = pod?.spec.nodeName;
      if (pod === undefined || nodeName === undefined || !pod.spec.containers.some((c) => c.name === container)) return undefined;
      return daemons.containerLog(nodeName);
    },
    async stop() {
      stopped = true;
      offDaemonSets();
      offPods();
      daemonSets.stop();
      await queue;
      if (errors.length > 0) throw new AggregateError(errors, `kured pods (the harness's DaemonSet controller) hit ${errors.length} error(s)`);
    },
  };
}

function podFor(daemonSet: KubeObject, spec: DaemonSetSpec, node: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${daemonSet.metadata.name}-`,
      namespace: daemonSet.metadata.namespace,
      labels: spec.template.metadata?.labels ?? {},
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: daemonSet.metadata.name, uid: daemonSet.metadata.uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    // bound directly, as the DaemonSet controller does
    spec: { ...spec.template.spec, nodeName: node },
  };
}

/** The template's required node affinity (the only placement rule the bot's manifests use). */
function runsOn(spec: DaemonSetSpec, node: Node | undefined): boolean {
  if (node === undefined) return false;
  const terms = spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined || terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((term) =>
    (term.matchExpressions ?? []).every((requirement) => {
      const value = labels[requirement.key];
      const values = requirement.values ?? [];
      switch (requirement.operator) {
        case 'In':
          return value !== undefined && values.includes(value);
        case 'NotIn':
          return value === undefined || !values.includes(value);
        case 'Exists':
          return value !== undefined;
        case 'DoesNotExist':
          return value === undefined;
        default:
          return false;
      }
    }),
  );
}
