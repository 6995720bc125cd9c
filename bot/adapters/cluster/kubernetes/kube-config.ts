// Where the bot's Kubernetes credentials come from, in kubectl's order: the files KUBECONFIG
// names (missing ones skipped, as kubectl does), else the pod's ServiceAccount inside a cluster,
// else ~/.kube/config. Nothing found is a configuration error, not something to retry.
// (The agent reads the same sources without client-node: agent/adapters/load-api-server-connection.ts.)
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../../../config/config-error.ts';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeConfigSources {
  /** The KUBECONFIG setting (one path, or several joined with the path delimiter). */
  readonly kubeconfig: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Replaceable so tests need not create /var/run/secrets. */
  readonly serviceAccountTokenPath?: string;
}

export interface LoadedKubeConfig {
  readonly kubeConfig: KubeConfig;
  /** Where it came from, for the start-up log (never the credentials themselves). */
  readonly source: string;
  readonly server: string;
  /** KUBECONFIG entries that do not exist and were skipped, for a warning. */
  readonly skipped: readonly string[];
}

export function loadKubeConfig(sources: KubeConfigSources): LoadedKubeConfig {
  const listed = (sources.kubeconfig ?? '').split(delimiter).filter((file) => file !== '');
  const files = listed.filter((file) => existsSync(file));
  const skipped = listed.filter((file) => !files.includes(file));
  const kubeConfig = new KubeConfig();
  let source: string;
  if (files.length > 0) {
    loadFiles(kubeConfig, files, sources.kubeconfig ?? '');
    source = `KUBECONFIG ${files.join(delimiter)}`;
  } else if ((sources.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '' && existsSync(sources.serviceAccountTokenPath ?? SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
    source = 'in-cluster ServiceAccount';
  } else {
    const file = join(sources.homeDir, '.kube', 'config');
    if (!existsSync(file)) {
      const named = listed.length > 0 ? `the KUBECONFIG files (${listed.join(delimiter)}) do not exist` : 'KUBECONFIG unset';
      throw new ConfigError(`no Kubernetes credentials: not in a pod (KUBERNETES_SERVICE_HOST unset), ${named} and no ~/.kube/config; expected a kubeconfig path in KUBECONFIG`);
    }
    loadFiles(kubeConfig, [file], file);
    source = file;
  }
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined) throw new ConfigError(`${source}: the kubeconfig has no current context with a cluster; expected one (kubectl config use-context)`);
  return { kubeConfig, source, server, skipped };
}

function loadFiles(kubeConfig: KubeConfig, files: readonly string[], shown: string): void {
  try {
    for (const [index, file] of files.entries()) {
      if (index === 0) {
        kubeConfig.loadFromFile(file);
        continue;
      }
      const more = new KubeConfig();
      more.loadFromFile(file);
      // As kubectl: the first file that names a current context decides it.
      kubeConfig.mergeConfig(more, true);
    }
  } catch (error: unknown) {
    throw new ConfigError(`KUBECONFIG=${JSON.stringify(shown)}: cannot load the kubeconfig: ${(error as Error).message}`, { cause: error });
  }
}
