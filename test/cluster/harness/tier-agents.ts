// Real `patchwindow agent` processes for a kured tier's nodes: the agent manifests' RBAC, one
// token kubeconfig, and an agent per node watching the sentinel file of that node's sandbox.
import path from 'node:path';
import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, agentAccessManifests, startAgentProcess, writeTokenKubeconfig } from './agent.ts';
import type { AgentProcess } from './agent.ts';
import type { KuredTier } from './kured-tier.ts';
import { createObjects } from './objects.ts';

/** Starts the agents, adding each to `started` as it starts (so a failure halfway still lets the caller stop them). */
export async function startTierAgents(tier: KuredTier, nodes: readonly string[], started: AgentProcess[]): Promise<void> {
  const { cluster, daemons } = tier;
  await createObjects(cluster.admin, agentAccessManifests());
  const token = await cluster.serviceAccountToken(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, 3 * 3600);
  const agentKubeconfig = path.join(cluster.dir, 'patchwindow-agent.kubeconfig');
  writeTokenKubeconfig(agentKubeconfig, cluster, AGENT_SERVICE_ACCOUNT, token);
  for (const node of nodes) {
    const sentinel = daemons.sandboxes.get(node)?.sentinelHostPath;
    if (sentinel === undefined) throw new Error(`no sandbox for ${node}`);
    started.push(await startAgentProcess({ cluster, node, kubeconfig: agentKubeconfig, env: { PATCHWINDOW_AGENT_SENTINEL_FILE: sentinel } }));
  }
}
