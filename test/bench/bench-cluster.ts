// The cluster tier as the latency benchmarks use it: a real control plane (etcd, kube-apiserver,
// kube-controller-manager) from test/cluster/harness, simulated kubelets for the window's nodes,
// real `patchwindow agent` processes (the agent's ServiceAccount and RBAC from manifests/agent),
// a counting proxy in front of the API server for the agents whose calls are counted, the fake
// Slack API, and a real `patchwindow bot` process watching the cluster and posting to the fake.
import path from 'node:path';
import { REBOOT_REQUIRED_ANNOTATION } from '../../agent/core/node-contract.ts';
import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, agentAccessManifests, startAgentProcess, writeTokenKubeconfig } from '../cluster/harness/agent.ts';
import type { AgentProcess } from '../cluster/harness/agent.ts';
import { failureLogDir, startCluster } from '../cluster/harness/cluster.ts';
import type { TestCluster } from '../cluster/harness/cluster.ts';
import { startSimulatedNodes } from '../cluster/harness/nodes.ts';
import type { SimulatedNodes } from '../cluster/harness/nodes.ts';
import { createObjects } from '../cluster/harness/objects.ts';
import { clusterTools } from '../cluster/harness/tools.ts';
import type { ToolName } from '../cluster/harness/tools.ts';
import { FakeSlackApi } from '../support/fake-slack-api.ts';
import { startBotProcess } from './bot-process.ts';
import type { BotProcess } from './bot-process.ts';
import { startCountingProxy } from '../cluster/harness/counting-proxy.ts';
import type { CountingProxy } from '../cluster/harness/counting-proxy.ts';

export const WINDOW_NODE_COUNT = 50;
export const WINDOW_NODES = Array.from({ length: WINDOW_NODE_COUNT }, (_, index) => `bench-${String(index + 1).padStart(2, '0')}`);
export const DETECTION_NODES = ['detect-1', 'detect-2', 'detect-3'] as const;
/** Its agent runs with every default (30 min heartbeat, 5 min rescan): idle CPU, RSS, writes. */
export const IDLE_AGENT_NODE = 'agent-idle';
/** Its agent heartbeats every HEARTBEAT_MS, so writes per heartbeat can be counted in minutes. */
export const HEARTBEAT_AGENT_NODE = 'agent-heartbeat';
export const HEARTBEAT_MS = 5000;
/** Its agent runs with defaults and node --max-semi-space-size=1 (an environment-only change): RSS. */
export const LEAN_AGENT_NODE = 'agent-lean';
export const LEAN_NODE_OPTIONS = '--max-semi-space-size=1';
/** The simulated kubelets' Ready and Lease heartbeat: every 10 s, as a real kubelet renews its Lease. */
const KUBELET_HEARTBEAT_MS = 10_000;

const REQUIRED_TOOLS: readonly ToolName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager'];

/** Why the cluster tier cannot run here, or undefined when its binaries are built. */
export function clusterTierUnavailable(): string | undefined {
  const tools = clusterTools();
  const missing = REQUIRED_TOOLS.filter((name) => !tools.has(name));
  if (missing.length === 0) return undefined;
  return `cluster-tier binaries not built (${missing.join(', ')} missing${tools.binDir === '' ? '' : ` in ${tools.binDir}`}): run bash test/cluster/build-tools.sh`;
}

export interface BenchCluster {
  readonly cluster: TestCluster;
  readonly nodes: SimulatedNodes;
  readonly fake: FakeSlackApi;
  readonly proxy: CountingProxy;
  readonly bot: BotProcess;
  readonly detectionAgents: readonly AgentProcess[];
  readonly idleAgent: AgentProcess;
  readonly heartbeatAgent: AgentProcess;
  readonly leanAgent: AgentProcess;
  /** Resolves once every agent's node shows reboot-required=false (the agents' first report). */
  agentsReported(timeoutMs: number): Promise<void>;
  stop(failed: boolean): Promise<void>;
}

export async function startBenchCluster(): Promise<BenchCluster> {
  const cluster = await startCluster({ scheduler: false });
  let nodes: SimulatedNodes | undefined;
  let fake: FakeSlackApi | undefined;
  let proxy: CountingProxy | undefined;
  const stop = async (failed: boolean): Promise<void> => {
    const problems: unknown[] = [];
    // cluster.stop() ends every process started through its supervisor: bot, agents, control plane
    try {
      nodes?.stop();
    } catch (error) {
      problems.push(error);
    }
    await proxy?.close().catch((error: unknown) => problems.push(error));
    await fake?.close().catch((error: unknown) => problems.push(error));
    await cluster.stop(failed ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'bench cluster teardown failed');
  };
  try {
    const agentNodes = [...DETECTION_NODES, IDLE_AGENT_NODE, HEARTBEAT_AGENT_NODE, LEAN_AGENT_NODE];
    nodes = await startSimulatedNodes(cluster.admin, { names: [...WINDOW_NODES, ...agentNodes], heartbeatMs: KUBELET_HEARTBEAT_MS });
    const simulated = nodes;
    await createObjects(cluster.admin, agentAccessManifests());
    const token = await cluster.serviceAccountToken(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, 3 * 3600);
    const direct = path.join(cluster.dir, 'agent-direct.kubeconfig');
    writeTokenKubeconfig(direct, cluster, AGENT_SERVICE_ACCOUNT, token);
    proxy = await startCountingProxy({ target: cluster.server, caFile: cluster.pki.caCert, certFile: cluster.pki.servingCert, keyFile: cluster.pki.servingKey });
    const counted = path.join(cluster.dir, 'agent-counted.kubeconfig');
    writeTokenKubeconfig(counted, { ...cluster, server: proxy.url }, AGENT_SERVICE_ACCOUNT, token);

    const [idleAgent, heartbeatAgent, leanAgent, ...detectionAgents] = await Promise.all([
      startAgentProcess({ cluster, node: IDLE_AGENT_NODE, kubeconfig: counted }),
      startAgentProcess({ cluster, node: HEARTBEAT_AGENT_NODE, kubeconfig: counted, env: { PATCHWINDOW_AGENT_HEARTBEAT_INTERVAL: `${HEARTBEAT_MS / 1000}s` } }),
      startAgentProcess({ cluster, node: LEAN_AGENT_NODE, kubeconfig: direct, env: { NODE_OPTIONS: LEAN_NODE_OPTIONS } }),
      ...DETECTION_NODES.map((node) => startAgentProcess({ cluster, node, kubeconfig: direct })),
    ]);

    // Slack's limits: one post a second per channel, chat.update about 50 a minute (tier 3).
    fake = await FakeSlackApi.start({ updatesPerMinute: 50 });
    const bot = await startBotProcess({
      supervisor: cluster.supervisor,
      dir: path.join(cluster.dir, 'bot'),
      fake,
      // The bot's own RBAC manifests do not exist yet: it uses the admin kubeconfig.
      env: { PATCHWINDOW_CLUSTER: 'kube', KUBECONFIG: cluster.adminKubeconfig },
    });
    return {
      cluster,
      nodes: simulated,
      fake,
      proxy,
      bot,
      detectionAgents,
      idleAgent,
      heartbeatAgent,
      leanAgent,
      async agentsReported(timeoutMs) {
        await simulated.nodeInformer.waitFor(
          'every agent reports its node as not pending',
          (items) => (agentNodes.every((name) => items.find((node) => node.metadata.name === name)?.metadata.annotations?.[REBOOT_REQUIRED_ANNOTATION] === 'false') ? true : undefined),
          timeoutMs,
        );
      },
      stop,
    };
  } catch (error) {
    await stop(true).catch(() => undefined);
    throw error;
  }
}
