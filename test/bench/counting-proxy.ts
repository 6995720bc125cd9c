// A TLS loopback proxy in front of the test API server that records every request (method, path,
// time) before passing it on unchanged, so API calls are counted where the API server sees them,
// not where the client says it made them. It serves the API server's own test certificate (valid
// for 127.0.0.1), so a client that pins the cluster CA accepts it as the API server.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** Date.now() when the request arrived. */
  readonly at: number;
}

export interface CountingProxy {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

export interface CountingProxyOptions {
  /** The API server, https://127.0.0.1:<port>. */
  readonly target: string;
  /** PEM files: the CA that issued the API server's certificate, the certificate and its key. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isWrite(request: ProxiedRequest): boolean {
  return WRITE_METHODS.has(request.method);
}

export async function startCountingProxy(options: CountingProxyOptions): Promise<CountingProxy> {
  const target = new URL(options.target);
  const ca = readFileSync(options.caFile);
  const agent = new https.Agent({ keepAlive: true, ca });
  const requests: ProxiedRequest[] = [];
  const server = https.createServer({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) }, (request, response) => {
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', at: Date.now() });
    const upstream = https.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host }, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
      response.end(`counting proxy: ${error.message}`);
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
