// The pod's own ServiceAccount, as client-go's InClusterConfig: the API server's Service address
// from KUBERNETES_SERVICE_HOST/PORT, the cluster CA and the (rotating) token the kubelet mounts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../bot/config/config-error.ts';
import { nativeConnection } from './api-server-connection.ts';
import type { ApiServerConnection } from './api-server-connection.ts';
import { TokenFile } from './token-file.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function serviceAccountTokenPath(serviceAccountDir: string): string {
  return join(serviceAccountDir, 'token');
}

export function inClusterConnection(
  env: Readonly<Record<string, string | undefined>>,
  serviceAccountDir: string,
  now?: () => number,
): ApiServerConnection {
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '';
  if (host === '' || port === '') {
    throw new ConfigError('in-cluster ServiceAccount: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set (the kubelet sets them in every pod)');
  }
  let server: URL;
  try {
    server = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
  } catch (error: unknown) {
    throw new ConfigError(`in-cluster ServiceAccount: KUBERNETES_SERVICE_HOST=${host} KUBERNETES_SERVICE_PORT=${port}: expected a host and a port`, { cause: error });
  }
  const caFile = join(serviceAccountDir, 'ca.crt');
  let ca: Buffer | undefined;
  // As client-go: without the mounted CA the system's roots are used.
  if (existsSync(caFile)) {
    try {
      ca = readFileSync(caFile);
    } catch (error: unknown) {
      throw new ConfigError(`in-cluster ServiceAccount: cannot read ${caFile}: ${(error as Error).message}`, { cause: error });
    }
  }
  const tokenPath = serviceAccountTokenPath(serviceAccountDir);
  return nativeConnection({
    server,
    auth: `ServiceAccount token ${tokenPath}`,
    tls: { ca, cert: undefined, key: undefined, insecureSkipTlsVerify: false, tlsServerName: undefined },
    bearer: { kind: 'file', file: new TokenFile(tokenPath, now === undefined ? {} : { now }) },
  });
}
