// A TLS loopback proxy in front of the test API server that records every request (method, path,
// time, the API server's status) before passing it on unchanged, so API calls are counted where
// the API server sees them, not where the client says it made them. It serves the API server's own
// test certificate (valid for 127.0.0.1), so a client that pins the cluster CA accepts it as the
// API server. It can also cut the client off: cut() drops every connection (watches included) and
// closes new ones on arrival until restore(), which can keep refusing some requests for a while longer.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { ClientRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** Date.now() when the request arrived. */
  readonly at: number;
  /** The API server's status code, once it answered. */
  readonly status: number | undefined;
  /** Its answer is still being passed on (a watch or a follow, until it ends). */
  readonly open: boolean;
  /** Its connection was dropped instead of passing it on (restore's `refusing`). */
  readonly refused: boolean;
}

export interface CountingProxy {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  /** Connections closed on arrival while cut. */
  readonly refusedConnections: number;
  /** Drops every connection and every request in flight, and closes new connections on arrival until restore(). */
  cut(): void;
  /** Takes connections again; requests `refusing` matches still have their connection dropped. */
  restore(options?: { readonly refusing?: ((request: ProxiedRequest) => boolean) | undefined }): void;
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

interface RequestRecord {
  method: string;
  path: string;
  at: number;
  status: number | undefined;
  open: boolean;
  refused: boolean;
}

export async function startCountingProxy(options: CountingProxyOptions): Promise<CountingProxy> {
  const target = new URL(options.target);
  const ca = readFileSync(options.caFile);
  const agent = new https.Agent({ keepAlive: true, ca });
  const requests: RequestRecord[] = [];
  const sockets = new Set<Socket>();
  const upstreams = new Set<ClientRequest>();
  let cut = false;
  let refusing: ((request: ProxiedRequest) => boolean) | undefined;
  let refusedConnections = 0;

  const server = https.createServer({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) }, (request, response) => {
    const record: RequestRecord = { method: request.method ?? 'GET', path: request.url ?? '/', at: Date.now(), status: undefined, open: true, refused: false };
    requests.push(record);
    response.on('close', () => {
      record.open = false;
    });
    if (refusing?.(record) === true) {
      record.refused = true;
      request.socket.destroy();
      return;
    }
    const upstream = https.request(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host }, agent },
      (answer) => {
        record.status = answer.statusCode;
        if (response.destroyed) return;
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        // now, as the API server did: a watch's client is waiting for them before its first event
        response.flushHeaders();
        answer.pipe(response);
      },
    );
    upstreams.add(upstream);
    upstream.on('close', () => upstreams.delete(upstream));
    // the client gone (or cut off): end the request at the API server too, a watch included
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    upstream.on('error', (error) => {
      if (response.destroyed) return;
      if (!response.headersSent) response.writeHead(502, { 'Content-Type': 'text/plain' });
      response.end(`counting proxy: ${error.message}`);
    });
    request.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    if (cut) {
      refusedConnections++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // a connection dropped mid-handshake (cut) is expected here, not a failure of the proxy
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    get refusedConnections() {
      return refusedConnections;
    },
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      for (const upstream of upstreams) upstream.destroy();
      upstreams.clear();
    },
    restore(restoreOptions = {}) {
      cut = false;
      refusing = restoreOptions.refusing;
    },
    async close() {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      for (const upstream of upstreams) upstream.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
