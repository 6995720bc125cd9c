// PATCHWINDOW_CLUSTER for the composition root: `kube` is a real cluster through the Kubernetes
// adapter, `sim` the simulated one (said loudly at start), `auto` a real cluster in a pod or when
// a kubeconfig exists, else the simulation.
import { homedir } from 'node:os';
import type { Config } from '../../../config/config.ts';
import { ConfigError } from '../../../config/config-error.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import type { ClusterPort } from '../../../core/ports/cluster-port.ts';
import type { SimulationControl } from '../../../core/engine/simulation-control.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { SimulatedCluster } from '../simulated/simulated-cluster.ts';
import { SimulationDriver } from '../simulated/simulation-driver.ts';
import { findExecutable, KuredHelm } from './kured-helm.ts';
import { kuredHelmValues } from './kured-helm-values.ts';
import type { KuredManifestOptions } from './kured-manifests.ts';
import { connectToCluster, realClusterAvailable } from './kube-connection.ts';
import { KubernetesCluster } from './kubernetes-cluster.ts';

export interface ClusterRuntime {
  readonly cluster: ClusterPort;
  /** The console's `sim` commands; undefined for a real cluster. */
  readonly simulation: SimulationControl | undefined;
  start(): void;
  stop(): void;
}

export interface ClusterSelectionSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
}

/** Throws ConfigError when a real cluster is asked for (or found) but cannot be reached by its configuration. */
export function selectCluster(config: Config, clock: Clock, logger: Logger, sources: ClusterSelectionSources): ClusterRuntime {
  const homeDir = sources.homeDir ?? homedir();
  const real =
    config.cluster.mode === 'kube' ||
    (config.cluster.mode === 'auto' && realClusterAvailable({ kubeconfig: config.cluster.kubeconfig, env: sources.env, homeDir }));
  return real ? kubernetesRuntime(config, logger, sources.env, homeDir) : simulatedRuntime(config, clock, logger);
}

function kubernetesRuntime(config: Config, logger: Logger, env: Readonly<Record<string, string | undefined>>, homeDir: string): ClusterRuntime {
  const connection = connectToCluster({ kubeconfig: config.cluster.kubeconfig, context: config.cluster.context, env, homeDir });
  const kured: KuredManifestOptions = { namespace: config.kured.namespace, image: config.kured.image, lockTtl: config.kured.lockTtl, options: config.kured.options };
  const helm = config.kured.method === 'helm' ? kuredHelm(config, kured, env) : undefined;
  const cluster = new KubernetesCluster({
    kubeConfig: connection.kubeConfig,
    source: connection.description,
    kured,
    helm,
    safetyNet: config.safetyNet.enabled ? { image: config.safetyNet.image, graceMs: config.safetyNet.graceMs } : undefined,
    onWatchError: (error) => {
      logger.warn({ err: error }, 'following the cluster failed (nodes, kured\'s DaemonSet, or a drain: its pods, kured\'s log, a PodDisruptionBudget); trying again after a backoff');
    },
  });
  const method = helm === undefined ? 'by the built-in manifests' : `by helm (chart ${config.kured.helm.chart} ${config.kured.helm.version}, release ${config.kured.helm.release})`;
  logger.info({ cluster: cluster.description }, `Kubernetes cluster: ${connection.description}; kured is deployed into namespace ${config.kured.namespace} ${method} for each window`);
  if (helm !== undefined && config.safetyNet.enabled) {
    // The reaper removes what the built-in manifests create (their names and window label), not a helm release.
    logger.warn('kured.method helm: no safety-net Job (it removes the built-in manifests, not a helm release); if the bot dies mid-window, kured stays until `helm uninstall`, inert outside the window it was narrowed to');
  }
  return {
    cluster,
    simulation: undefined,
    start: () => undefined,
    stop: () => {
      cluster.close().catch((error: unknown) => {
        logger.warn({ err: error }, 'stopping the node watch failed');
      });
    },
  };
}

/**
 * kured.method helm: fails fast (ConfigError) when the helm binary is missing or when the options
 * cannot go through the chart, rather than at the first window.
 */
function kuredHelm(config: Config, kured: KuredManifestOptions, env: Readonly<Record<string, string | undefined>>): KuredHelm {
  const settings = config.kured.helm;
  const binary = findExecutable(settings.binary, env);
  if (binary === undefined) {
    throw new ConfigError(
      `PATCHWINDOW_KURED_HELM_BINARY=${settings.binary}: no such executable${settings.binary.includes('/') ? '' : ' on PATH'}; expected a helm 3 binary (3.12 or later) because kured.method is helm`,
    );
  }
  try {
    const now = Date.now();
    kuredHelmValues({ windowId: 1, start: new Date(now), end: new Date(now + 3_600_000), zone: 'UTC', concurrency: 1, nodeSelector: undefined }, { ...kured, daemonSetName: settings.release });
  } catch (error) {
    throw new ConfigError(`kured.method helm: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return new KuredHelm({ ...settings, binary, kubeconfig: config.cluster.kubeconfig, context: config.cluster.context, kured, env });
}

function simulatedRuntime(config: Config, clock: Clock, logger: Logger): ClusterRuntime {
  const cluster = new SimulatedCluster(clock, { nodeCount: config.sim.nodes, pendingAtStart: config.sim.pending });
  const driver = new SimulationDriver(cluster, clock, {
    onError: (error) => {
      logger.error({ err: error }, 'simulated cluster step failed');
    },
  });
  logger.warn(
    { cluster: cluster.description },
    `SIMULATED CLUSTER: no real cluster is used; patchwindow runs against a simulated cluster of ${config.sim.nodes} nodes whose kured reboots them in seconds. ` +
      'To use a real cluster, run the bot in a pod or point KUBECONFIG (optionally PATCHWINDOW_KUBE_CONTEXT) at one, and set PATCHWINDOW_CLUSTER=kube or leave it auto.',
  );
  return {
    cluster,
    simulation: cluster,
    start: () => {
      driver.start();
    },
    stop: () => {
      driver.stop();
    },
  };
}
