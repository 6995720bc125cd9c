// The fallback for kubeconfig users patchwindow does not handle itself (exec plugins,
// auth providers, basic auth) and for proxies: @kubernetes/client-node's KubeConfig produces the
// request options (TLS, headers, its agent) for each request, which then take the one request
// path. The library (some 85 MiB resident) is imported only here, only for such kubeconfigs.
import type { RequestOptions } from 'node:https';
import { CredentialError } from './api-server-connection.ts';
import type { ApiServerConnection } from './api-server-connection.ts';
import type { CurrentContext } from './kubeconfig-connection.ts';
import { KubeconfigFileError } from './kubeconfig-file.ts';

export async function clientNodeConnection(server: URL, current: CurrentContext, reason: string): Promise<ApiServerConnection> {
  if (server.protocol === 'http:' && current.cluster.fields['insecure-skip-tls-verify'] !== true) {
    // client-node would refuse it at every request; better said once, at start.
    throw new KubeconfigFileError(`${current.cluster.file}: "${current.cluster.name}": ${reason} needs @kubernetes/client-node, which refuses a plain http:// server unless insecure-skip-tls-verify is true`);
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  // Only the current context, its cluster and its user, paths already absolute: client-node
  // parses them with its own rules, as it would the whole file.
  kubeConfig.loadFromString(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': current.name,
      clusters: [{ name: current.cluster.name, cluster: current.cluster.fields }],
      users: current.user === undefined ? [] : [{ name: current.user.name, user: current.user.fields }],
      contexts: [{ name: current.name, context: { cluster: current.cluster.name, ...(current.user === undefined ? {} : { user: current.user.name }) } }],
    }),
  );
  return {
    server,
    auth: `${reason} (through @kubernetes/client-node)`,
    async requestOptions() {
      const options: RequestOptions = {};
      try {
        await kubeConfig.applyToHTTPSOptions(options);
      } catch (error: unknown) {
        throw new CredentialError(`@kubernetes/client-node (${reason}): ${(error instanceof Error ? error.message : String(error)).trim()}`, { cause: error });
      }
      return options;
    },
  };
}
