// A loopback HTTP server that answers the three calls the agent makes the way kube-apiserver does
// for one Node: GET, merge-patch of metadata, strategic-merge-patch of status (conditions merged
// by type). It refuses other patch content types with 415, as the real server does, records
// every request, and can be told to fail or hang. Not a Kubernetes API server: the cluster tier
// has the real one. With `tls` it serves HTTPS and, given a client CA, accepts a verified client
// certificate instead of the bearer token.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  /** The common name of the verified client certificate, if one was presented. */
  readonly clientCertificate: string | undefined;
  readonly body: unknown;
}

export interface FakeApiServerOptions {
  /** PEM; `ca` verifies client certificates, which are asked for but not required (as kube-apiserver does). */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer; readonly ca?: Buffer };
}

interface Condition {
  type: string;
  [field: string]: unknown;
}

export interface StoredNode {
  name: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  conditions: Condition[];
}

export type Override = (request: RecordedRequest) => { status: number; body: unknown } | 'hang' | undefined;

export interface FakeApiServer {
  readonly url: string;
  readonly token: string;
  readonly node: StoredNode;
  readonly requests: RecordedRequest[];
  /** Answers instead of the normal behaviour while it returns something. */
  override: Override | undefined;
  /** Resolves with the first request (already received or future) matching. */
  waitFor(predicate: (request: RecordedRequest) => boolean, deadlineMs?: number): Promise<RecordedRequest>;
  /** Writes a kubeconfig for this server into `directory` and returns its path. */
  writeKubeconfig(directory: string): string;
  close(): Promise<void>;
}

export async function startFakeApiServer(nodeName: string, options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const token = 'test-token-not-secret';
  const node: StoredNode = {
    name: nodeName,
    annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    labels: { 'kubernetes.io/hostname': nodeName },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
  };
  const requests: RecordedRequest[] = [];
  const waiters: { predicate: (request: RecordedRequest) => boolean; resolve: (request: RecordedRequest) => void }[] = [];
  const hanging = new Set<ServerResponse>();

  const state: { override: Override | undefined } = { override: undefined };
  const listener: RequestListener = (incoming, response) => {
    void readBody(incoming).then((text) => {
      const url = new URL(incoming.url ?? '/', 'http://localhost');
      const request: RecordedRequest = {
        method: incoming.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        contentType: incoming.headers['content-type'],
        authorization: incoming.headers.authorization,
        clientCertificate: clientCommonName(incoming),
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(request);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(request)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(request);
        }
      }
      const overridden = state.override?.(request);
      if (overridden === 'hang') {
        hanging.add(response);
        return;
      }
      const answer = overridden ?? handle(node, request, token);
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  };
  const { tls } = options;
  const server =
    tls === undefined
      ? createServer(listener)
      : createHttpsServer({ key: tls.key, cert: tls.cert, ...(tls.ca === undefined ? {} : { ca: tls.ca, requestCert: true, rejectUnauthorized: false }) }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    node,
    requests,
    get override() {
      return state.override;
    },
    set override(value) {
      state.override = value;
    },
    waitFor(predicate, deadlineMs = 10_000) {
      const seen = requests.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no matching request within ${deadlineMs} ms; saw: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`));
        }, deadlineMs);
        waiters.push({
          predicate,
          resolve: (request) => {
            clearTimeout(timer);
            resolve(request);
          },
        });
      });
    },
    writeKubeconfig(directory) {
      const path = join(directory, 'kubeconfig');
      writeFileSync(
        path,
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: fake',
          'clusters:',
          '- name: fake',
          // client-node refuses plain HTTP unless TLS verification is off; this test server has no TLS.
          `  cluster: { server: "${url}", insecure-skip-tls-verify: true }`,
          'users:',
          '- name: fake',
          `  user: { token: "${token}" }`,
          'contexts:',
          '- name: fake',
          '  context: { cluster: fake, user: fake }',
          '',
        ].join('\n'),
      );
      return path;
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

function handle(node: StoredNode, request: RecordedRequest, token: string): { status: number; body: unknown } {
  if (request.authorization !== `Bearer ${token}` && request.clientCertificate === undefined) return status(401, 'Unauthorized');
  const match = /^\/api\/v1\/nodes\/([^/]+)(\/status)?$/.exec(request.path);
  if (match === null) return status(404, 'the server could not find the requested resource');
  if (match[1] !== node.name) return status(404, `nodes "${match[1] ?? ''}" not found`);
  const subresource = match[2];
  if (request.method === 'GET' && subresource === undefined) return { status: 200, body: nodeJson(node) };
  if (request.method !== 'PATCH') return status(405, 'method not allowed');
  const body = request.body as { metadata?: { annotations?: Record<string, string | null>; labels?: Record<string, string | null> }; status?: { conditions?: Condition[] } };
  if (subresource === undefined) {
    if (request.contentType !== 'application/merge-patch+json') return status(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${String(request.contentType)})`);
    mergeInto(node.annotations, body.metadata?.annotations ?? {});
    mergeInto(node.labels, body.metadata?.labels ?? {});
    return { status: 200, body: nodeJson(node) };
  }
  if (request.contentType !== 'application/strategic-merge-patch+json') return status(415, `unsupported media type ${String(request.contentType)} for this test server`);
  for (const condition of body.status?.conditions ?? []) {
    const existing = node.conditions.find((candidate) => candidate.type === condition.type);
    if (existing === undefined) node.conditions.push({ ...condition });
    else Object.assign(existing, condition);
  }
  return { status: 200, body: nodeJson(node) };
}

function status(code: number, message: string): { status: number; body: unknown } {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code } };
}

function nodeJson(node: StoredNode): unknown {
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { name: node.name, annotations: node.annotations, labels: node.labels },
    status: { conditions: node.conditions },
  };
}

function mergeInto(target: Record<string, string>, patch: Record<string, string | null>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(target, key);
    else target[key] = value;
  }
}

function clientCommonName(request: IncomingMessage): string | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || socket.getPeerCertificate === undefined) return undefined;
  const commonName = socket.getPeerCertificate().subject.CN;
  return typeof commonName === 'string' && commonName !== '' ? commonName : undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => { resolve(text); });
    request.on('error', reject);
  });
}
