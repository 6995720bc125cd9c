// How the bot reaches a real cluster: the same sources as the agent (and kubectl): the files
// KUBECONFIG names, else the pod's ServiceAccount in a cluster, else ~/.kube/config; plus an
// optional context (PATCHWINDOW_KUBE_CONTEXT) instead of the kubeconfig's current one.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from './kube-config.ts';
import { ConfigError } from '../../../config/config-error.ts';

export interface KubeConnectionSources {
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
}

export interface KubeConnection {
  readonly kubeConfig: KubeConfig;
  /** Where the credentials came from and which server, for logs (never the credentials). */
  readonly description: string;
}

/** Whether `PATCHWINDOW_CLUSTER=auto` should use a real cluster: in a pod, or a kubeconfig exists. */
export function realClusterAvailable(sources: Omit<KubeConnectionSources, 'context'>): boolean {
  if ((sources.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') return true;
  const listed = (sources.kubeconfig ?? '').split(delimiter).filter((file) => file !== '');
  if (listed.some((file) => existsSync(file))) return true;
  return existsSync(join(sources.homeDir, '.kube', 'config'));
}

/** Throws ConfigError when there are no credentials or the context is unknown. */
export function connectToCluster(sources: KubeConnectionSources): KubeConnection {
  const loaded = loadKubeConfig({ kubeconfig: sources.kubeconfig, env: sources.env, homeDir: sources.homeDir });
  const { kubeConfig } = loaded;
  if (sources.context !== undefined) {
    if (kubeConfig.getContextObject(sources.context) === null) {
      const known = kubeConfig.getContexts().map((context) => context.name);
      throw new ConfigError(
        `PATCHWINDOW_KUBE_CONTEXT=${sources.context}: ${loaded.source} has no such context; expected one of ${known.length === 0 ? '(none)' : known.join(', ')}`,
      );
    }
    kubeConfig.setCurrentContext(sources.context);
  }
  const server = kubeConfig.getCurrentCluster()?.server ?? loaded.server;
  const context = kubeConfig.getCurrentContext();
  return { kubeConfig, description: `${loaded.source}${context === '' || context === 'inClusterContext' ? '' : `, context ${context}`}, ${server}` };
}
