// Turns the current context of a merged kubeconfig into a connection. Server, CA, client
// certificate, bearer token and token file are handled here; users that need more (exec plugins,
// auth providers, basic auth) and proxies go through @kubernetes/client-node, imported only then.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { nativeConnection } from './api-server-connection.ts';
import type { ApiServerConnection, BearerToken } from './api-server-connection.ts';
import { clientNodeConnection } from './client-node-connection.ts';
import { KubeconfigFileError, isMapping } from './kubeconfig-file.ts';
import type { KubeconfigEntry, KubeconfigMapping, MergedKubeconfig } from './kubeconfig-file.ts';
import { TokenFile } from './token-file.ts';

export interface CurrentContext {
  readonly name: string;
  readonly cluster: KubeconfigEntry;
  /** Undefined: the context names no user (anonymous). */
  readonly user: KubeconfigEntry | undefined;
}

/** The current context and its cluster; undefined when there is none (or its cluster is not defined). */
export function currentContext(merged: MergedKubeconfig): CurrentContext | undefined {
  const name = merged.currentContext;
  if (name === undefined) return undefined;
  const context = merged.contexts.get(name);
  if (context === undefined) return undefined;
  const clusterName = optionalString(context, 'cluster');
  const cluster = clusterName === undefined ? undefined : merged.clusters.get(clusterName);
  if (cluster === undefined) return undefined;
  const userName = optionalString(context, 'user');
  if (userName === undefined || userName === '') return { name, cluster, user: undefined };
  const user = merged.users.get(userName);
  if (user === undefined) throw new KubeconfigFileError(`${context.file}: context "${name}" names user "${userName}", which no kubeconfig file defines`);
  return { name, cluster, user };
}

/** Fields that need client-node. */
const FALLBACK_USER_FIELDS = ['exec', 'auth-provider', 'username', 'password'] as const;
/** Fields that client-node ignores as well: refused rather than silently dropped. */
const UNSUPPORTED_USER_FIELDS = ['as-groups', 'as-uid', 'as-user-extra'] as const;

export async function kubeconfigConnection(current: CurrentContext, now?: () => number): Promise<ApiServerConnection> {
  const { cluster, user } = current;
  const server = serverUrl(cluster);
  const userFields = user?.fields ?? {};
  for (const field of UNSUPPORTED_USER_FIELDS) {
    if (userFields[field] !== undefined && user !== undefined) throw new KubeconfigFileError(`${user.file}: user "${user.name}": ${field} (impersonation) is not supported by patchwindow`);
  }
  const fallback = FALLBACK_USER_FIELDS.filter((field) => userFields[field] !== undefined && userFields[field] !== null);
  if (fallback.length > 0 || optionalString(cluster, 'proxy-url') !== undefined) {
    return clientNodeConnection(server, current, fallbackReason(current, fallback));
  }
  const tlsServerName = optionalString(cluster, 'tls-server-name');
  const insecure = cluster.fields['insecure-skip-tls-verify'];
  if (insecure !== undefined && typeof insecure !== 'boolean') throw new KubeconfigFileError(`${where(cluster)}: insecure-skip-tls-verify: expected true or false`);
  const ca = pem(cluster, 'certificate-authority');
  if (insecure === true && ca !== undefined) throw new KubeconfigFileError(`${where(cluster)}: a certificate authority together with insecure-skip-tls-verify; expected one of them (as kubectl)`);
  const cert = user === undefined ? undefined : pem(user, 'client-certificate');
  const key = user === undefined ? undefined : pem(user, 'client-key');
  if ((cert === undefined) !== (key === undefined) && user !== undefined) throw new KubeconfigFileError(`${where(user)}: a client certificate needs a client key and the other way round`);
  const bearer = user === undefined ? undefined : bearerToken(user, now);
  const impersonate = user === undefined ? undefined : optionalString(user, 'as');
  return nativeConnection({
    server,
    auth: describe(bearer, cert !== undefined, impersonate),
    tls: { ca, cert, key, insecureSkipTlsVerify: insecure === true, tlsServerName },
    bearer,
    ...(impersonate === undefined || impersonate === '' ? {} : { headers: { 'Impersonate-User': impersonate } }),
  });
}

function serverUrl(cluster: KubeconfigEntry): URL {
  const server = optionalString(cluster, 'server');
  if (server === undefined || server === '') throw new KubeconfigFileError(`${where(cluster)}: server is missing`);
  let url: URL;
  try {
    url = new URL(server);
  } catch (error: unknown) {
    throw new KubeconfigFileError(`${where(cluster)}: server ${JSON.stringify(server)}: expected a URL such as https://10.0.0.1:6443`, { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KubeconfigFileError(`${where(cluster)}: server ${JSON.stringify(server)}: expected an https:// (or http://) URL`);
  return url;
}

/** Kubeconfig-style credential: `<field>-data` (base64 of PEM) or `<field>` (a file). */
function pem(entry: KubeconfigEntry, field: string): Buffer | undefined {
  const data = optionalString(entry, `${field}-data`);
  const file = optionalString(entry, field);
  const hasData = data !== undefined && data !== '';
  const hasFile = file !== undefined && file !== '';
  if (hasData && hasFile) throw new KubeconfigFileError(`${where(entry)}: both ${field} and ${field}-data; expected one of them (as kubectl)`);
  if (hasData) {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(data)) throw new KubeconfigFileError(`${where(entry)}: ${field}-data: expected base64`);
    return Buffer.from(data, 'base64');
  }
  if (!hasFile) return undefined;
  try {
    return readFileSync(file);
  } catch (error: unknown) {
    throw new KubeconfigFileError(`${where(entry)}: ${field}: ${(error as Error).message}`, { cause: error });
  }
}

/** As client-go: a token file, when given, is the source of the token (re-read as it rotates). */
function bearerToken(user: KubeconfigEntry, now: (() => number) | undefined): BearerToken {
  const file = optionalString(user, 'token-file');
  if (file !== undefined && file !== '') return { kind: 'file', file: new TokenFile(file, now === undefined ? {} : { now }) };
  const token = optionalString(user, 'token');
  return token === undefined || token === '' ? undefined : { kind: 'static', token };
}

function describe(bearer: BearerToken, clientCertificate: boolean, impersonate: string | undefined): string {
  const parts: string[] = [];
  if (clientCertificate) parts.push('client certificate');
  if (bearer?.kind === 'static') parts.push('bearer token');
  if (bearer?.kind === 'file') parts.push(`token file ${bearer.file.path}`);
  if (impersonate !== undefined && impersonate !== '') parts.push(`impersonating ${impersonate}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function fallbackReason(current: CurrentContext, fields: readonly string[]): string {
  const userFields = current.user?.fields ?? {};
  const exec = userFields['exec'];
  const provider = userFields['auth-provider'];
  if (isMapping(exec)) return `exec plugin ${typeof exec['command'] === 'string' ? basename(exec['command']) : '(no command)'}`;
  if (isMapping(provider)) return `auth-provider ${typeof provider['name'] === 'string' ? provider['name'] : '(unnamed)'}`;
  if (fields.includes('username') || fields.includes('password')) return 'basic auth';
  return `proxy ${withoutCredentials(optionalString(current.cluster, 'proxy-url') ?? '')}`;
}

/** The description goes to the start-up log: a proxy URL's user and password must not. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return parsed.href;
    parsed.username = '';
    parsed.password = '';
    return `${parsed.href} (credentials not shown)`;
  } catch {
    return '(a proxy URL that is not a URL)';
  }
}

function optionalString(entry: KubeconfigEntry, field: string): string | undefined {
  const value: KubeconfigMapping[string] = entry.fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new KubeconfigFileError(`${where(entry)}: ${field}: expected a string`);
  return value;
}

function where(entry: KubeconfigEntry): string {
  return `${entry.file}: "${entry.name}"`;
}
