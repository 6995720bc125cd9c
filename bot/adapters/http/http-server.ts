// The bot's one HTTP server. Adapters contribute routes (health now, chat endpoints later);
// stop() refuses new connections, lets requests in flight finish, then closes.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/create-logger.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly handle: (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  /** Looked up on every request, so the owner may change the array later (a leader-election standby serves health only until it leads). */
  readonly routes: readonly Route[];
  readonly logger: Logger;
}

export interface RunningHttpServer {
  readonly host: string;
  readonly port: number;
  /** Resolves once every request in flight has been answered, or after `graceMs` by force. */
  stop(graceMs: number): Promise<void>;
}

export class HttpListenError extends Error {
  override readonly name = 'HttpListenError';
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  let stopping = false;
  const server = createServer((request, response) => {
    if (stopping) response.setHeader('Connection', 'close');
    response.on('finish', () => {
      if (stopping) server.closeIdleConnections();
    });
    void dispatch(options, request, response);
  });
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    stop: (graceMs) => {
      stopping = true;
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          options.logger.warn({ graceMs }, 'requests still in flight after the grace period; closing their connections');
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

async function dispatch(options: HttpServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const candidates = options.routes.filter((route) => route.path === path);
  const route = candidates.find((candidate) => candidate.method === request.method);
  try {
    if (route !== undefined) {
      await route.handle(request, response);
    } else if (candidates.length > 0) {
      response.writeHead(405, { Allow: candidates.map((candidate) => candidate.method).join(', '), 'Content-Type': 'text/plain' });
      response.end('method not allowed\n');
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found\n');
    }
  } catch (error: unknown) {
    options.logger.error({ err: error, method: request.method, path }, 'request failed');
    if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
    response.end('internal error\n');
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
      reject(new HttpListenError(`cannot listen on ${host}:${port}: ${reason}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
