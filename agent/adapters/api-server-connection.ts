// How a request reaches the API server: its URL, and per request the TLS settings and headers
// (credentials). Per request because credentials change while the agent runs: token files are
// rotated, exec plugins hand out tokens that expire. Every source (in-cluster, a kubeconfig,
// the client-node fallback) produces one of these, so there is one request path.
import type { RequestOptions } from 'node:https';
import type { TokenFile } from './token-file.ts';

export interface ApiServerConnection {
  /** The server URL, possibly with a path prefix (behind a proxy); http: or https:. */
  readonly server: URL;
  /** What authenticates the agent, for the start-up log (never the credential itself). */
  readonly auth: string;
  /** TLS options and headers (and, from the fallback, an agent) for one request. Throws CredentialError. */
  requestOptions(): Promise<RequestOptions>;
}

/** Credentials could not be obtained (token file unreadable, exec plugin failed); no request was sent. */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';
}

/** Certificates and keys as PEM, already read; undefined for none. */
export interface TlsMaterial {
  readonly ca: Buffer | undefined;
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName: string | undefined;
}

export type BearerToken = { readonly kind: 'static'; readonly token: string } | { readonly kind: 'file'; readonly file: TokenFile } | undefined;

/** A connection from credentials patchwindow understands itself (no client library). */
export function nativeConnection(options: {
  readonly server: URL;
  readonly auth: string;
  readonly tls: TlsMaterial;
  readonly bearer: BearerToken;
  readonly headers?: Readonly<Record<string, string>>;
}): ApiServerConnection {
  const { tls, bearer } = options;
  const base: RequestOptions = {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.tlsServerName === undefined ? {} : { servername: tls.tlsServerName }),
    ...(tls.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
  };
  return {
    server: options.server,
    auth: options.auth,
    async requestOptions() {
      const headers: Record<string, string> = { ...options.headers };
      if (bearer?.kind === 'static') headers['Authorization'] = `Bearer ${bearer.token}`;
      if (bearer?.kind === 'file') {
        try {
          headers['Authorization'] = `Bearer ${await bearer.file.token()}`;
        } catch (error: unknown) {
          throw new CredentialError((error as Error).message, { cause: error });
        }
      }
      return { ...base, headers };
    },
  };
}
