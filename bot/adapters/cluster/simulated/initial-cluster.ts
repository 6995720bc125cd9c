// The seeded starting point of the simulation (also what reset() returns to): worker nodes spread
// over three zones, some already waiting for a reboot, each running a handful of pods — one of them
// the shop/web pod whose PodDisruptionBudget holds up the drain that meets it.
import type { SeededRandom } from './seeded-random.ts';
import { markPending, type SimulatedNode, type SimulatedPod } from './simulated-node.ts';

export const PROTECTED_DEPLOYMENT = 'shop/web';
/** How a refused eviction names its cause in DrainProgress.blockedBy. */
export const PROTECTING_BUDGET = 'PodDisruptionBudget shop/web';

const ZONES = ['sim-a', 'sim-b', 'sim-c'] as const;
const MIN_PODS_PER_NODE = 3;
const MAX_PODS_PER_NODE = 8;
const MAX_PENDING_AGE_HOURS = 72;
const KERNEL_PACKAGE = 'linux-image-6.1.0-28-amd64';
const OTHER_PACKAGES = ['openssl', 'libssl3', 'libc6', 'systemd', 'dbus', 'linux-firmware'] as const;
const UNPROTECTED_DEPLOYMENTS = [
  'shop/cart',
  'shop/checkout',
  'payments/api',
  'search/indexer',
  'monitoring/grafana',
  'kube-system/coredns',
] as const;

export interface ClusterContents {
  readonly nodes: SimulatedNode[];
  readonly pods: SimulatedPod[];
}

export function nodeName(index: number): string {
  return `sim-node-${index + 1}`;
}

export function buildInitialCluster(
  random: SeededRandom,
  nodeCount: number,
  pendingAtStart: number,
  now: number,
): ClusterContents {
  const nodes = Array.from({ length: nodeCount }, (_, index): SimulatedNode => {
    const name = nodeName(index);
    return {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'node-role.kubernetes.io/worker': '',
        'topology.kubernetes.io/zone': ZONES[index % ZONES.length] ?? 'sim-a',
      },
      ready: true,
      unschedulable: false,
      bootId: random.bootId(),
      pendingReboot: undefined,
      drain: undefined,
      power: 'up',
    };
  });

  const pendingNodes = random.shuffled(nodes).slice(0, pendingAtStart);
  for (const node of nodes.filter((candidate) => pendingNodes.includes(candidate))) {
    const ageMs = random.integer(1, MAX_PENDING_AGE_HOURS) * 3_600_000;
    markPending(node, { since: new Date(now - ageMs), packages: randomPackages(random) });
  }

  const pods: SimulatedPod[] = [];
  for (const node of nodes) {
    const count = random.integer(MIN_PODS_PER_NODE, MAX_PODS_PER_NODE);
    for (let index = 0; index < count; index++) pods.push(newPod(random.pick(UNPROTECTED_DEPLOYMENTS), node.name, random));
  }
  // One shop/web pod, on a node that needs a reboot when there is one, so the first window meets its budget.
  const protectedHost = random.pick(pendingNodes.length > 0 ? pendingNodes : nodes);
  const replaced = pods.findIndex((pod) => pod.nodeName === protectedHost.name);
  pods.splice(replaced, 1, newPod(PROTECTED_DEPLOYMENT, protectedHost.name, random));
  return { nodes, pods };
}

/** What the agent would read from reboot-required.pkgs: usually the kernel, plus a few libraries. */
export function randomPackages(random: SeededRandom): string[] {
  const others = random.shuffled(OTHER_PACKAGES).slice(0, random.integer(0, 2));
  return random.next() < 0.75 ? [KERNEL_PACKAGE, ...others] : others.length > 0 ? others : ['openssl'];
}

function newPod(deployment: string, host: string, random: SeededRandom): SimulatedPod {
  const [namespace = '', app = ''] = deployment.split('/');
  return { namespace, name: `${app}-${random.hex(9)}-${random.hex(5)}`, deployment, nodeName: host };
}
