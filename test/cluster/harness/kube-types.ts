// The few Kubernetes object shapes the harness reads and writes (only the fields it uses).

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  creationTimestamp?: string;
  ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface KubeList<T> {
  metadata: { resourceVersion?: string };
  items: T[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: {
    conditions?: Condition[];
    nodeInfo?: { bootID?: string; kubeletVersion?: string };
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
  };
}

export interface Container {
  name: string;
  image: string;
}

export interface Pod extends KubeObject {
  spec: { nodeName?: string; containers: Container[] };
  status?: { phase?: string; conditions?: Condition[]; podIP?: string };
}

export interface PodDisruptionBudget extends KubeObject {
  status?: {
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
    observedGeneration?: number;
    disruptedPods?: Record<string, string>;
  };
}

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export interface DaemonSet extends KubeObject {
  spec?: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export function conditionOf(obj: { status?: { conditions?: Condition[] } }, type: string): Condition | undefined {
  return obj.status?.conditions?.find((condition) => condition.type === type);
}

export function isNodeReady(node: Node): boolean {
  return conditionOf(node, 'Ready')?.status === 'True';
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && conditionOf(pod, 'Ready')?.status === 'True';
}

export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace === undefined ? obj.metadata.name : `${obj.metadata.namespace}/${obj.metadata.name}`;
}
