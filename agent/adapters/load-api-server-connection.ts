// Where the agent's Kubernetes credentials come from, in kubectl's order: the files KUBECONFIG
// names (missing ones skipped, as kubectl does), else the pod's ServiceAccount inside a cluster,
// else ~/.kube/config. Nothing found is a configuration error, not something to retry.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../../bot/config/config-error.ts';
import type { ApiServerConnection } from './api-server-connection.ts';
import { SERVICE_ACCOUNT_DIR, inClusterConnection, serviceAccountTokenPath } from './in-cluster-connection.ts';
import { currentContext, kubeconfigConnection } from './kubeconfig-connection.ts';
import { readKubeconfigFiles } from './kubeconfig-file.ts';

export interface ApiServerSources {
  /** The KUBECONFIG setting (one path, or several joined with the path delimiter). */
  readonly kubeconfig: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Replaceable so tests need not create /var/run/secrets. */
  readonly serviceAccountDir?: string;
  /** Clock for token-file re-reads (tests). */
  readonly now?: () => number;
}

export interface LoadedApiServerConnection {
  readonly connection: ApiServerConnection;
  /** Where it came from, for the start-up log (never the credentials themselves). */
  readonly source: string;
  readonly server: string;
  /** KUBECONFIG entries that do not exist and were skipped, for a warning. */
  readonly skipped: readonly string[];
}

export async function loadApiServerConnection(sources: ApiServerSources): Promise<LoadedApiServerConnection> {
  const listed = (sources.kubeconfig ?? '').split(delimiter).filter((file) => file !== '');
  const files = listed.filter((file) => existsSync(file));
  const skipped = listed.filter((file) => !files.includes(file));
  const serviceAccountDir = sources.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  let connection: ApiServerConnection;
  let source: string;
  if (files.length > 0) {
    source = `KUBECONFIG ${files.join(delimiter)}`;
    connection = await fromFiles(files, sources.kubeconfig ?? '', source, sources.now);
  } else if ((sources.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '' && existsSync(serviceAccountTokenPath(serviceAccountDir))) {
    source = 'in-cluster ServiceAccount';
    connection = inClusterConnection(sources.env, serviceAccountDir, sources.now);
  } else {
    const file = join(sources.homeDir, '.kube', 'config');
    if (!existsSync(file)) {
      const named = listed.length > 0 ? `the KUBECONFIG files (${listed.join(delimiter)}) do not exist` : 'KUBECONFIG unset';
      throw new ConfigError(`no Kubernetes credentials: not in a pod (KUBERNETES_SERVICE_HOST unset), ${named} and no ~/.kube/config; expected a kubeconfig path in KUBECONFIG`);
    }
    source = file;
    connection = await fromFiles([file], file, source, sources.now);
  }
  return { connection, source, server: connection.server.href.replace(/\/$/, ''), skipped };
}

async function fromFiles(files: readonly string[], shown: string, source: string, now: (() => number) | undefined): Promise<ApiServerConnection> {
  try {
    const current = currentContext(readKubeconfigFiles(files));
    if (current === undefined) throw new ConfigError(`${source}: the kubeconfig has no current context with a cluster; expected one (kubectl config use-context)`);
    return await kubeconfigConnection(current, now);
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`KUBECONFIG=${JSON.stringify(shown)}: cannot load the kubeconfig: ${(error as Error).message}`, { cause: error });
  }
}
