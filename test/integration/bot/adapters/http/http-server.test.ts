import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../../../bot/adapters/http/http-server.ts';
import type { Route, RunningHttpServer } from '../../../../../bot/adapters/http/http-server.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';

const servers: RunningHttpServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop(1000)));
});

async function serve(routes: Route[]): Promise<{ server: RunningHttpServer; base: string; lines: () => Record<string, unknown>[] }> {
  const { logger, lines } = captureLogger();
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, routes, logger });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${server.port}`, lines };
}

/** A plain request on its own connection (fetch would pool connections across tests). */
function get(url: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('startHttpServer', () => {
  it('routes by path and method, with 404 and 405 otherwise', async () => {
    const { base } = await serve([
      { method: 'GET', path: '/hello', handle: (_req, res) => void res.end('hi') },
      { method: 'POST', path: '/hello', handle: (_req, res) => void res.end('posted') },
      { method: 'GET', path: '/only-get', handle: (_req, res) => void res.end('x') },
    ]);
    expect(await get(`${base}/hello?x=1`)).toMatchObject({ status: 200, body: 'hi' });
    expect(await get(`${base}/nowhere`)).toMatchObject({ status: 404, body: 'not found\n' });
    const wrongMethod = await fetch(`${base}/only-get`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('answers 500 and logs when a handler throws', async () => {
    const { base, lines } = await serve([
      {
        method: 'GET',
        path: '/broken',
        handle: () => {
          throw new Error('handler exploded');
        },
      },
    ]);
    expect(await get(`${base}/broken`)).toMatchObject({ status: 500, body: 'internal error\n' });
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'request failed', path: '/broken', err: expect.objectContaining({ message: 'handler exploded' }) as unknown }));
  });

  it('lets a request in flight finish when stopping, and refuses new connections', async () => {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived = (): void => undefined;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { server, base } = await serve([
      {
        method: 'GET',
        path: '/slow',
        handle: async (_req, res) => {
          arrived();
          await released;
          res.end('finished');
        },
      },
    ]);
    const inFlight = get(`${base}/slow`);
    await hasArrived;
    let stopped = false;
    const stopping = server.stop(5000).then(() => (stopped = true));
    await expect(get(`${base}/slow`)).rejects.toThrow(/ECONNREFUSED/);
    expect(stopped).toBe(false);
    release();
    const answer = await inFlight;
    expect(answer).toMatchObject({ status: 200, body: 'finished' });
    expect(answer.headers['connection']).toBe('close');
    await stopping;
    expect(stopped).toBe(true);
    servers.splice(servers.indexOf(server), 1);
  });

  it('closes connections that are still busy after the grace period', async () => {
    let arrived = (): void => undefined;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { server, base, lines } = await serve([
      {
        method: 'GET',
        path: '/hang',
        handle: () => {
          arrived();
          return new Promise(() => undefined);
        },
      },
    ]);
    const hanging = get(`${base}/hang`).catch((error: unknown) => error);
    await hasArrived;
    await server.stop(50);
    expect(await hanging).toBeInstanceOf(Error);
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'requests still in flight after the grace period; closing their connections' }));
    servers.splice(servers.indexOf(server), 1);
  });

  it('reports a port in use as a listen error', async () => {
    const { server } = await serve([]);
    const { logger } = captureLogger();
    await expect(startHttpServer({ host: '127.0.0.1', port: server.port, routes: [], logger })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${server.port}: address already in use`,
    );
  });
});
