// The simulated kubelets' log endpoint: kube-apiserver answers GET pods/<pod>/log by asking the
// kubelet of the pod's node (status.daemonEndpoints.kubeletEndpoint.Port at its InternalIP, here
// 127.0.0.1) for /containerLogs/<namespace>/<pod>/<container>. One loopback HTTPS server plays that
// endpoint for every simulated node: its serving certificate comes from the test CA (which the API
// server is told to trust, --kubelet-certificate-authority) and it accepts only clients with a
// certificate from that CA (the API server's --kubelet-client-certificate).
// It serves what a resolver returns for the pod: a ContainerLog fed from a node daemon's output,
// with the kubelet's query parameters: follow (until the container exits), timestamps, sinceTime,
// sinceSeconds, tailLines, limitBytes.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ClusterPki } from './pki.ts';
import type { ContainerLog, LogLine } from './container-log.ts';

export type ContainerLogResolver = (namespace: string, pod: string, container: string) => ContainerLog | undefined;

export interface KubeletLogServer {
  readonly port: number;
  /** Requests served so far (path and query), for assertions. */
  readonly requests: readonly string[];
  /** Follow streams still open. */
  openStreams(): number;
  stop(): Promise<void>;
}

export async function startKubeletLogServer(pki: ClusterPki, resolve: ContainerLogResolver): Promise<KubeletLogServer> {
  const requests: string[] = [];
  const open = new Set<ServerResponse>();
  const server = https.createServer(
    {
      cert: readFileSync(pki.kubeletServingCert),
      key: readFileSync(pki.kubeletServingKey),
      ca: readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      requests.push(request.url ?? '');
      try {
        serve(request, response, resolve, open);
      } catch (error) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`kubelet log server: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  );
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    openStreams: () => open.size,
    stop: () =>
      new Promise((done) => {
        for (const response of open) response.end();
        server.closeAllConnections();
        server.close(() => {
          done();
        });
      }),
  };
}

function serve(request: IncomingMessage, response: ServerResponse, resolve: ContainerLogResolver, open: Set<ServerResponse>): void {
  // TLS already refused clients without a certificate from the test CA; this is the second lock
  if (!(request.socket instanceof TLSSocket) || !request.socket.authorized) {
    fail(response, 401, 'a client certificate from the cluster CA is required');
    return;
  }
  if (request.method !== 'GET') {
    fail(response, 405, 'method not allowed');
    return;
  }
  const url = new URL(request.url ?? '/', 'https://kubelet');
  const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  const [namespace, pod, container] = [match?.[1], match?.[2], match?.[3]].map((part) => decodeURIComponent(part ?? ''));
  if (match === null || namespace === undefined || pod === undefined || container === undefined) {
    fail(response, 404, `not found: ${url.pathname}`);
    return;
  }
  const log = resolve(namespace, pod, container);
  if (log === undefined) {
    fail(response, 404, `container "${container}" in pod "${pod}" (namespace ${namespace}) is not running on this simulated node`);
    return;
  }
  const query = url.searchParams;
  if (query.get('previous') === 'true') {
    fail(response, 400, 'previous container logs are not kept by the simulated kubelet');
    return;
  }
  const follow = query.get('follow') === 'true';
  const timestamps = query.get('timestamps') === 'true';
  const since = sinceNanos(query);
  const tail = query.get('tailLines');
  const limitBytes = Number(query.get('limitBytes') ?? '0') || Infinity;
  let sent = 0;
  const format = (line: LogLine): string => `${timestamps ? `${line.time} ` : ''}${line.text}\n`;
  const write = (line: LogLine): boolean => {
    if (since !== undefined && line.nanos < since) return true;
    const text = format(line);
    if (sent + Buffer.byteLength(text) > limitBytes) return false;
    sent += Buffer.byteLength(text);
    response.write(text);
    return true;
  };

  response.writeHead(200, { 'content-type': 'text/plain' });
  let lines = log.lines();
  if (tail !== null && /^\d+$/.test(tail)) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
  if (!lines.every(write) || !follow || !log.running) {
    response.end();
    return;
  }
  open.add(response);
  const stop = log.follow({
    line: (line) => {
      if (!write(line)) response.end();
    },
    end: () => {
      response.end();
    },
  });
  response.on('close', () => {
    stop();
    open.delete(response);
  });
}

/** sinceTime (RFC 3339, whole seconds as the API server passes it on) or sinceSeconds, as nanoseconds since the epoch. */
function sinceNanos(query: URLSearchParams): bigint | undefined {
  const time = query.get('sinceTime');
  if (time !== null) {
    const millis = Date.parse(time);
    if (!Number.isNaN(millis)) return BigInt(millis) * 1_000_000n;
  }
  const seconds = query.get('sinceSeconds');
  if (seconds !== null && /^\d+$/.test(seconds)) return (BigInt(Date.now()) - BigInt(seconds) * 1000n) * 1_000_000n;
  return undefined;
}

function fail(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(message);
}
