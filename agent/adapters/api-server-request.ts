// One HTTP request to the API server on node:http(s), without a client library: credentials
// from the connection, a deadline over the whole exchange (credentials, connect, answer) and a
// bound on the answer's size, so neither a hung server nor a huge body can hurt the agent.
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import { CredentialError } from './api-server-connection.ts';
import type { ApiServerConnection } from './api-server-connection.ts';

export interface ApiRequest {
  readonly method: 'GET' | 'PATCH';
  /** Absolute API path, e.g. /api/v1/nodes/node-a; appended to the server URL's own path. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly contentType?: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** No answer within the deadline. */
export class ApiTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** The answer was larger than the request allowed; the connection was dropped. */
export class ApiResponseTooLargeError extends Error {
  override readonly name = 'ApiResponseTooLargeError';
  readonly status: number;

  constructor(status: number, maxBytes: number) {
    super(`the answer is larger than ${String(maxBytes)} bytes; refused`);
    this.status = status;
  }
}

export async function sendApiRequest(connection: ApiServerConnection, request: ApiRequest): Promise<ApiResponse> {
  const url = new URL(connection.server.href);
  url.pathname = `${url.pathname.replace(/\/$/, '')}${request.path}`;
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));

  const deadline = AbortSignal.timeout(request.timeoutMs);
  const options = await untilDeadline(connection.requestOptions(), deadline, request.timeoutMs);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<ApiResponse>((resolve, reject) => {
    const outgoing = send(url, {
      ...options,
      method: request.method,
      headers: {
        ...headerObject(options.headers),
        Accept: 'application/json',
        ...(payload === undefined ? {} : { 'Content-Type': request.contentType ?? 'application/json', 'Content-Length': String(payload.length) }),
      },
    });
    let answer: IncomingMessage | undefined;
    const onTimeout = (): void => {
      const timedOut = new ApiTimeoutError(`no answer within ${String(request.timeoutMs)} ms`);
      answer?.destroy(timedOut);
      outgoing.destroy(timedOut);
    };
    deadline.addEventListener('abort', onTimeout, { once: true });
    const fail = (error: Error): void => {
      deadline.removeEventListener('abort', onTimeout);
      reject(error);
    };
    outgoing.on('error', fail);
    outgoing.on('response', (response: IncomingMessage) => {
      answer = response;
      readBody(response, request.maxResponseBytes).then(
        (body) => {
          deadline.removeEventListener('abort', onTimeout);
          resolve({ status: response.statusCode ?? 0, body });
        },
        (error: unknown) => {
          outgoing.destroy();
          fail(error as Error);
        },
      );
    });
    outgoing.end(payload);
  });
}

/** Node allows headers as a flat [name, value, ...] list too; the connections give objects. */
function headerObject(headers: RequestOptions['headers']): OutgoingHttpHeaders {
  if (headers === undefined) return {};
  if (!isHeaderList(headers)) return headers;
  const object: OutgoingHttpHeaders = {};
  for (let index = 0; index + 1 < headers.length; index += 2) object[headers[index] ?? ''] = headers[index + 1];
  return object;
}

function isHeaderList(headers: NonNullable<RequestOptions['headers']>): headers is readonly string[] {
  return Array.isArray(headers);
}

function readBody(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy(new ApiResponseTooLargeError(response.statusCode ?? 0, maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    response.on('error', reject);
    response.on('close', () => {
      // After 'end' this changes nothing; before it, the server or the network cut the answer short.
      if (!response.complete) reject(new Error('the connection closed before the answer was complete'));
    });
  });
}

/** Credentials (an exec plugin may hang) count against the request's deadline too. */
async function untilDeadline<T>(work: Promise<T>, deadline: AbortSignal, timeoutMs: number): Promise<T> {
  // Given up on at the deadline, a late failure must not become an unhandled rejection.
  work.catch(() => undefined);
  let onAbort: (() => void) | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      reject(new CredentialError(`none within ${String(timeoutMs)} ms (the credential plugin has not answered)`));
    };
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    if (onAbort !== undefined) deadline.removeEventListener('abort', onAbort);
  }
}
