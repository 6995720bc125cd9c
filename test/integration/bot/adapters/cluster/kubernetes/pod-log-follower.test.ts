// PodLogFollower against a loopback API server that answers pods/<pod>/log like kube-apiserver
// (chunked, kubelet timestamps, Status bodies on errors): lines delivered once across
// reconnects, failures reported with the server's message and retried, close() ends the stream.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { PodLogFollower } from '../../../../../../bot/adapters/cluster/kubernetes/pod-log-follower.ts';
import type { PodLogError } from '../../../../../../bot/adapters/cluster/kubernetes/pod-log-follower.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

interface FakeApi {
  readonly kubeConfig: KubeConfig;
  readonly requests: URL[];
  readonly authorizations: (string | undefined)[];
  /** Responses still open (follow streams). */
  readonly open: Set<ServerResponse>;
  /** Answers the n-th request (0-based) with handlers[n], later ones with the last handler. */
  handlers: Handler[];
  close(): Promise<void>;
}

const servers: FakeApi[] = [];
const followers: PodLogFollower[] = [];

afterEach(async () => {
  for (const follower of followers.splice(0)) await follower.close();
  for (const server of servers.splice(0)) await server.close();
});

async function fakeApi(handlers: Handler[]): Promise<FakeApi> {
  const requests: URL[] = [];
  const authorizations: (string | undefined)[] = [];
  const open = new Set<ServerResponse>();
  const api: FakeApi = {
    kubeConfig: new KubeConfig(),
    requests,
    authorizations,
    open,
    handlers,
    close: () =>
      new Promise((resolve) => {
        for (const response of open) response.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const index = requests.length;
    requests.push(url);
    authorizations.push(request.headers.authorization);
    open.add(response);
    response.on('close', () => open.delete(response));
    const handler = api.handlers[Math.min(index, api.handlers.length - 1)];
    if (handler === undefined) throw new Error('no handler');
    handler(request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  api.kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'bot', token: 'secret-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'bot' }],
    currentContext: 'fake',
  });
  servers.push(api);
  return api;
}

function follow(api: FakeApi, lines: string[], errors: PodLogError[]): PodLogFollower {
  const follower = new PodLogFollower({
    kubeConfig: api.kubeConfig,
    namespace: 'kured',
    pod: 'kured-8xk2p',
    container: 'kured',
    onLine: (line) => lines.push(line),
    onError: (error) => errors.push(error),
    initialBackoffMs: 20,
    maxBackoffMs: 100,
  });
  followers.push(follower);
  return follower;
}

async function until(description: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const streaming = (...chunks: string[]): Handler => (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  for (const chunk of chunks) response.write(chunk);
};
const ending = (...chunks: string[]): Handler => (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(chunks.join(''));
};

describe('PodLogFollower', () => {
  it('asks for the container log with follow and timestamps, as the kubeconfig user, and delivers whole lines without the timestamp', async () => {
    const api = await fakeApi([
      streaming('2026-03-07T21:05:01.100000000Z time=… msg="Starting drain"\n2026-03-07T21:05:01.2Z msg="draining: res', 'ults" stdout="evicting pod shop/web-0\\n"\n'),
    ]);
    const lines: string[] = [];
    const errors: PodLogError[] = [];
    follow(api, lines, errors);
    await until('two lines', () => lines.length === 2);
    expect(lines).toEqual(['time=… msg="Starting drain"', 'msg="draining: results" stdout="evicting pod shop/web-0\\n"']);
    const [request] = api.requests;
    expect(request?.pathname).toBe('/api/v1/namespaces/kured/pods/kured-8xk2p/log');
    expect(Object.fromEntries(request?.searchParams ?? [])).toEqual({ container: 'kured', follow: 'true', timestamps: 'true' });
    expect(api.authorizations[0]).toBe('Bearer secret-token');
    expect(errors).toEqual([]);
  });

  it('asks again when the stream ends (the container exited) from the last second seen, delivering each line once', async () => {
    const api = await fakeApi([
      ending('2026-03-07T21:05:01.100Z first\n2026-03-07T21:05:02.500Z second\n2026-03-07T21:05:02.900Z third'),
      // the kubelet answers sinceTime with everything from that second on
      ending('2026-03-07T21:05:02.500Z second\n2026-03-07T21:05:02.900Z third\n2026-03-07T21:05:03.000Z fourth\n'),
      streaming(),
    ]);
    const lines: string[] = [];
    const errors: PodLogError[] = [];
    follow(api, lines, errors);
    await until('three requests', () => api.requests.length >= 3);
    expect(lines).toEqual(['first', 'second', 'third', 'fourth']);
    expect(api.requests[1]?.searchParams.get('sinceTime')).toBe('2026-03-07T21:05:02Z');
    expect(api.requests[2]?.searchParams.get('sinceTime')).toBe('2026-03-07T21:05:03Z');
    expect(errors).toEqual([]);
  });

  it("reports a refusal with the API server's message and tries again", async () => {
    const api = await fakeApi([
      (_request, response) => {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'container "kured" in pod "kured-8xk2p" is waiting to start: ContainerCreating', reason: 'BadRequest', code: 400 }));
      },
      (_request, response) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end('Bad Gateway from a proxy');
      },
      streaming('2026-03-07T21:05:01Z up\n'),
    ]);
    const lines: string[] = [];
    const errors: PodLogError[] = [];
    follow(api, lines, errors);
    await until('the line after two failures', () => lines.length === 1);
    expect(lines).toEqual(['up']);
    expect(errors.map((error) => [error.status, error.message])).toEqual([
      [400, 'the log of kured/kured-8xk2p (container kured): HTTP 400: container "kured" in pod "kured-8xk2p" is waiting to start: ContainerCreating'],
      [502, 'the log of kured/kured-8xk2p (container kured): HTTP 502: Bad Gateway from a proxy'],
    ]);
  });

  it('reports a stream cut off in the middle and follows again', async () => {
    const api = await fakeApi([
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('2026-03-07T21:05:01Z before the cut\n');
        setTimeout(() => response.destroy(), 20);
      },
      streaming('2026-03-07T21:05:01Z before the cut\n2026-03-07T21:05:04Z after the cut\n'),
    ]);
    const lines: string[] = [];
    const errors: PodLogError[] = [];
    follow(api, lines, errors);
    await until('the line after the cut', () => lines.length === 2);
    expect(lines).toEqual(['before the cut', 'after the cut']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/kured\/kured-8xk2p \(container kured\).*(cut off|broke)/);
  });

  it('reports an API server that cannot be reached', async () => {
    const api = await fakeApi([streaming()]);
    await api.close();
    const lines: string[] = [];
    const errors: PodLogError[] = [];
    follow(api, lines, errors);
    await until('two failed attempts', () => errors.length >= 2);
    expect(errors[0]?.status).toBeUndefined();
    expect(errors[0]?.message).toMatch(/following the log of kured\/kured-8xk2p \(container kured\) failed: .*ECONNREFUSED/);
    expect(errors[0]?.cause).toBeInstanceOf(Error);
  });

  it('close() ends the open stream and delivers nothing more', async () => {
    let respond: ServerResponse | undefined;
    const api = await fakeApi([
      (_request, response) => {
        respond = response;
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('2026-03-07T21:05:01Z one\n');
      },
    ]);
    const lines: string[] = [];
    const errors: PodLogError[] = [];
    const follower = follow(api, lines, errors);
    await until('the first line', () => lines.length === 1);
    const serverSideClosed = new Promise((resolve) => respond?.on('close', resolve));
    await follower.close();
    await serverSideClosed;
    expect(api.open.size).toBe(0);
    respond?.write('2026-03-07T21:05:02Z two\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual(['one']);
    expect(errors).toEqual([]);
    expect(api.requests).toHaveLength(1);
  });
});
