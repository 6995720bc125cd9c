// The cluster tier with kured as the bot deploys it: a control plane, simulated nodes whose
// kubelet endpoint is the harness's log server, and the harness playing the DaemonSet controller
// for kured's DaemonSet (kured-pods.ts) - so the bot's own kured manifests bring kured pods onto
// the nodes, each backed by a kured process in the node's sandbox, whose output is that pod's log
// through the API server (pods/log). Removing the DaemonSet removes the pods and the processes.
// kured is the real binary when build-tools.sh could build it, else (CLUSTER_KURED=standin) the
// kubectl stand-in; without either the tests using this are skipped.
import { startCluster, failureLogDir } from './cluster.ts';
import type { TestCluster } from './cluster.ts';
import { startKubeletLogServer } from './kubelet-log-server.ts';
import type { KubeletLogServer } from './kubelet-log-server.ts';
import { startKuredPods } from './kured-pods.ts';
import type { KuredPods } from './kured-pods.ts';
import { kuredDaemon, kuredStandinDaemon, startNodeDaemons } from './node-daemons.ts';
import type { NodeDaemons } from './node-daemons.ts';
import { startSimulatedNodes } from './nodes.ts';
import type { SimulatedNodes } from './nodes.ts';
import { clusterTools } from './tools.ts';

export type KuredMode = 'kured' | 'standin' | 'missing';

/** The real kured when built, the stand-in when CLUSTER_KURED=standin asks for it, else missing. */
export function kuredMode(): KuredMode {
  if (clusterTools().has('kured')) return 'kured';
  return process.env['CLUSTER_KURED'] === 'standin' ? 'standin' : 'missing';
}

export interface KuredTierOptions {
  readonly nodes: readonly string[];
  /** kured's DaemonSet (the bot's default: kured/kured). */
  readonly namespace?: string;
  readonly name?: string;
  /** kured's period (its --period; the stand-in's loop), default 1 s: the window waits on it. */
  readonly periodSeconds?: number;
  readonly heartbeatMs?: number;
  readonly podStartupMs?: number;
  readonly rebootDowntimeMs?: number;
}

export interface KuredTier {
  readonly mode: Exclude<KuredMode, 'missing'>;
  readonly cluster: TestCluster;
  readonly nodes: SimulatedNodes;
  readonly daemons: NodeDaemons;
  readonly kuredPods: KuredPods;
  readonly logServer: KubeletLogServer;
  /** Stops everything (kured first, the control plane last); keeps the logs when `failed`. */
  stop(failed: boolean): Promise<void>;
}

export async function startKuredTier(options: KuredTierOptions): Promise<KuredTier> {
  const mode = kuredMode();
  if (mode === 'missing') throw new Error('kured is not built and CLUSTER_KURED=standin is not set');
  const namespace = options.namespace ?? 'kured';
  const name = options.name ?? 'kured';
  const periodSeconds = options.periodSeconds ?? 1;
  const cluster = await startCluster();
  let kuredPods: KuredPods | undefined;
  let logServer: KubeletLogServer | undefined;
  let nodes: SimulatedNodes | undefined;
  let daemons: NodeDaemons | undefined;
  const stop = async (failed: boolean): Promise<void> => {
    const problems: unknown[] = [];
    const attempt = async (step: (() => Promise<void> | void) | undefined): Promise<void> => {
      try {
        await step?.();
      } catch (error) {
        problems.push(error);
      }
    };
    await attempt(() => kuredPods?.stop());
    await attempt(() => daemons?.stop());
    await attempt(() => logServer?.stop());
    await attempt(() => {
      nodes?.stop();
    });
    await attempt(() => cluster.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}));
    if (problems.length > 0) throw new AggregateError(problems, 'kured tier teardown failed');
  };
  try {
    const tools = cluster.tools;
    logServer = await startKubeletLogServer(cluster.pki, (podNamespace, pod, container) => kuredPods?.containerLog(podNamespace, pod, container));
    nodes = await startSimulatedNodes(cluster.admin, {
      names: options.nodes,
      heartbeatMs: options.heartbeatMs ?? 3000,
      kubeletPort: logServer.port,
      ...(options.podStartupMs === undefined ? {} : { podStartupMs: options.podStartupMs }),
    });
    const daemon =
      mode === 'kured'
        ? kuredDaemon({ binary: tools.path('kured'), dsNamespace: namespace, dsName: name, period: `${periodSeconds}s`, lockTtl: '30m', annotateNodes: true })
        : kuredStandinDaemon({ kubectl: tools.path('kubectl'), periodSeconds, dsNamespace: namespace, dsName: name });
    daemons = await startNodeDaemons({
      cluster,
      nodes,
      daemon,
      serviceAccount: { namespace, name },
      autoStart: false,
      rebootDowntimeMs: options.rebootDowntimeMs ?? 1000,
    });
    kuredPods = startKuredPods({ cluster, nodes, daemons, namespace, name });
    return { mode, cluster, nodes, daemons, kuredPods, logServer, stop };
  } catch (error) {
    await stop(true).catch(() => undefined);
    throw error;
  }
}
