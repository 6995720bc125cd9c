// Simulated nodes: the harness plays the kubelet. It registers Node objects, keeps them alive
// (node Lease renewals and Ready heartbeats, a bootID in status.nodeInfo), runs the pods bound to
// them (status Running/Ready) and finalises pods being deleted on them (delete with grace 0, as a
// kubelet does once the containers are gone) - without that every drain would hang.
// down()/up() are the two halves of a reboot: NotReady with heartbeats stopped, then Ready again
// with a new bootID.
import { randomUUID } from 'node:crypto';
import type { Informer, KubeClient } from './kube.ts';
import { KubeApiError } from './kube.ts';
import type { Condition, Node, Pod } from './kube-types.ts';
import { conditionOf, isPodReady } from './kube-types.ts';

export interface SimulatedNodesOptions {
  readonly names: readonly string[];
  readonly capacity?: Readonly<Record<string, string>>;
  /** How often a live node renews its Lease and heartbeats its Ready condition (default 5000). */
  readonly heartbeatMs?: number;
  /**
   * How long a pod bound to a node takes to become Running and Ready (default 1500 ms): a
   * simulation parameter, like a real node's image pull and readiness probe. Without it a
   * replacement pod is Ready within milliseconds and a drain never meets a PDB refusal.
   */
  readonly podStartupMs?: number;
  readonly kubeletVersion?: string;
  /**
   * Port in status.daemonEndpoints.kubeletEndpoint (default 10250, where nothing listens): where
   * kube-apiserver sends pods/log, e.g. to harness/kubelet-log-server.ts.
   */
  readonly kubeletPort?: number;
}

export interface NodeState {
  readonly name: string;
  readonly bootID: string;
  readonly up: boolean;
}

export interface SimulatedNodes {
  readonly names: readonly string[];
  /** Live view of all Node objects. */
  readonly nodeInformer: Informer<Node>;
  /** Live view of all pods. */
  readonly podInformer: Informer<Pod>;
  state(name: string): NodeState;
  /** The node goes down: Ready=False, heartbeats and pod handling stop. */
  down(name: string, message?: string): Promise<void>;
  /** The node comes back: a new bootID (unless `sameBoot`), Ready=True, pods handled again. */
  up(name: string, options?: { sameBoot?: boolean }): Promise<string>;
  /** Pods bound to `name`, not being deleted. */
  podsOn(name: string): Pod[];
  /** Stops heartbeats and watches (the Node objects stay). */
  stop(): void;
}

/** RFC 3339 with microseconds, as metav1.MicroTime wants. */
function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function readyCondition(ready: boolean, message: string, now: string): Condition {
  return ready
    ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }
    : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message, lastHeartbeatTime: now, lastTransitionTime: now };
}

export async function startSimulatedNodes(api: KubeClient, options: SimulatedNodesOptions): Promise<SimulatedNodes> {
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const podStartupMs = options.podStartupMs ?? 1500;
  const capacity = options.capacity ?? { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '50Gi' };
  const kubeletVersion = options.kubeletVersion ?? 'v1.36.3';
  const kubeletPort = options.kubeletPort ?? 10250;
  const states = new Map<string, { bootID: string; up: boolean; index: number; nextPodIp: number }>();
  const inFlight = new Set<string>();
  let stopped = false;
  const errors: unknown[] = [];

  const nodeInformer = api.informer<Node>('/api/v1/nodes');
  const podInformer = api.informer<Pod>('/api/v1/pods');

  const state = (name: string): { bootID: string; up: boolean; index: number; nextPodIp: number } => {
    const found = states.get(name);
    if (found === undefined) throw new Error(`${name} is not a simulated node`);
    return found;
  };

  async function patchStatus(name: string, status: Record<string, unknown>): Promise<void> {
    await api.patch(`/api/v1/nodes/${name}/status`, { status }, 'strategic');
  }

  function fullStatus(name: string, ready: boolean, message: string): Record<string, unknown> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const pressure = (type: string, reason: string): Condition => ({
      type, status: 'False', reason, message: `kubelet has no ${type}`, lastHeartbeatTime: now, lastTransitionTime: now,
    });
    return {
      capacity,
      allocatable: capacity,
      conditions: [
        pressure('MemoryPressure', 'KubeletHasSufficientMemory'),
        pressure('DiskPressure', 'KubeletHasNoDiskPressure'),
        pressure('PIDPressure', 'KubeletHasSufficientPID'),
        readyCondition(ready, message, now),
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
      nodeInfo: {
        machineID: name.padEnd(32, '0').slice(0, 32),
        systemUUID: randomUUID(),
        bootID: state(name).bootID,
        kernelVersion: '6.1.0-simulated',
        osImage: 'patchwindow simulated node',
        containerRuntimeVersion: 'simulated://1.0.0',
        kubeletVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    };
  }

  async function renewLease(name: string): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    try {
      await api.patch(path, { spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() } });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
      const node = nodeInformer.get(name);
      await api.create('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: 'kube-node-lease',
          ...(node?.metadata.uid === undefined
            ? {}
            : { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] }),
        },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
      });
    }
  }

  async function heartbeat(name: string): Promise<void> {
    await renewLease(name);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ready = conditionOf(nodeInformer.get(name) ?? { metadata: { name } }, 'Ready');
    await patchStatus(name, {
      conditions: [{ ...readyCondition(true, '', now), lastTransitionTime: ready?.status === 'True' ? ready.lastTransitionTime : now }],
    });
  }

  async function runPod(pod: Pod, nodeName: string): Promise<void> {
    const node = state(nodeName);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ip = `10.244.${node.index}.${String((node.nextPodIp++ % 250) + 2)}`;
    const podReady = (type: string): Condition => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
    await api.patch(`/api/v1/namespaces/${pod.metadata.namespace ?? 'default'}/pods/${pod.metadata.name}/status`, {
      status: {
        phase: 'Running',
        hostIP: '127.0.0.1',
        hostIPs: [{ ip: '127.0.0.1' }],
        podIP: ip,
        podIPs: [{ ip }],
        startTime: now,
        conditions: [
          podReady('PodReadyToStartContainers'),
          podReady('Initialized'),
          podReady('Ready'),
          podReady('ContainersReady'),
          podReady('PodScheduled'),
        ],
        containerStatuses: pod.spec.containers.map((container) => ({
          name: container.name,
          image: container.image,
          imageID: `simulated://${container.image}`,
          containerID: `simulated://${randomUUID()}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: now } },
        })),
      },
    });
  }

  async function finalizeDeletion(pod: Pod): Promise<void> {
    await api.delete(`/api/v1/namespaces/${pod.metadata.namespace ?? 'default'}/pods/${pod.metadata.name}`, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      ...(pod.metadata.uid === undefined ? {} : { preconditions: { uid: pod.metadata.uid } }),
    });
  }

  function handlePod(pod: Pod): void {
    const nodeName = pod.spec.nodeName;
    if (stopped || nodeName === undefined || !states.has(nodeName) || !state(nodeName).up) return;
    const deleting = pod.metadata.deletionTimestamp !== undefined;
    if (!deleting && (isPodReady(pod) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')) return;
    const key = `${deleting ? 'delete' : 'run'}:${pod.metadata.uid ?? pod.metadata.name}`;
    if (inFlight.has(key)) return;
    inFlight.add(key);
    const act = deleting
      ? finalizeDeletion(pod)
      : new Promise<void>((resolve) => setTimeout(resolve, podStartupMs)).then(async () => {
          // still bound here, still wanted and the node still up?
          const latest = podInformer.get(`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`);
          if (stopped || latest === undefined || latest.metadata.uid !== pod.metadata.uid || latest.metadata.deletionTimestamp !== undefined || !state(nodeName).up) return;
          await runPod(latest, nodeName);
        });
    act
      .catch((error: unknown) => {
        // 404/409: the pod went away or changed meanwhile; the next event retries if needed
        if (!(error instanceof KubeApiError && (error.status === 404 || error.status === 409))) errors.push(error);
      })
      .finally(() => {
        inFlight.delete(key);
      });
  }

  const names = [...options.names];
  names.forEach((name, index) => states.set(name, { bootID: randomUUID(), up: true, index: index + 1, nextPodIp: 0 }));

  await nodeInformer.synced;
  for (const name of names) {
    await api.create('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
        annotations: { 'patchwindow.dev/simulated-node': 'true' },
      },
      spec: {},
    });
    await patchStatus(name, fullStatus(name, true, ''));
    await renewLease(name);
  }

  podInformer.onEvent((type, pod) => {
    if (type !== 'DELETED') handlePod(pod);
  });
  await podInformer.synced;
  for (const pod of podInformer.items()) handlePod(pod);

  const timer = setInterval(() => {
    for (const name of names) {
      if (state(name).up) heartbeat(name).catch((error: unknown) => errors.push(error));
    }
  }, heartbeatMs);

  return {
    names,
    nodeInformer,
    podInformer,
    state(name) {
      const s = state(name);
      return { name, bootID: s.bootID, up: s.up };
    },
    async down(name, message = 'simulated reboot: kubelet stopped') {
      const s = state(name);
      s.up = false;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      await patchStatus(name, { conditions: [readyCondition(false, message, now)] });
    },
    async up(name, upOptions = {}) {
      const s = state(name);
      if (upOptions.sameBoot !== true) s.bootID = randomUUID();
      await patchStatus(name, fullStatus(name, true, ''));
      await renewLease(name);
      s.up = true;
      for (const pod of podInformer.items()) handlePod(pod);
      return s.bootID;
    },
    podsOn(name) {
      return podInformer.items().filter((pod) => pod.spec.nodeName === name && pod.metadata.deletionTimestamp === undefined);
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      nodeInformer.stop();
      podInformer.stop();
      if (errors.length > 0) {
        throw new AggregateError(errors, `simulated kubelet hit ${errors.length} API error(s)`);
      }
    },
  };
}
