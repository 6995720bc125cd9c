// The NodeApi port on plain node:http(s): the agent's three calls, without a Kubernetes client
// library (which would cost the agent some 85 MiB of resident memory). Patch content types are
// explicit: JSON merge patch for metadata, strategic merge patch for the status conditions.
import type { ObservedNode } from '../core/observed-node.ts';
import type { ConditionPatch, MetadataPatch } from '../core/node-write-plan.ts';
import { NodeApiError } from '../ports/node-api.ts';
import type { NodeApi, NodeApiResource, NodeApiVerb } from '../ports/node-api.ts';
import { CredentialError } from './api-server-connection.ts';
import type { ApiServerConnection } from './api-server-connection.ts';
import { ApiResponseTooLargeError, sendApiRequest } from './api-server-request.ts';
import type { ApiRequest, ApiResponse } from './api-server-request.ts';
import { observedNode } from './node-json.ts';

export const FIELD_MANAGER = 'patchwindow-agent';
export const REQUEST_TIMEOUT_MS = 30_000;
/** A Node is well under etcd's 1.5 MiB object limit; anything bigger is not an answer to keep. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_SERVER_MESSAGE_CHARS = 300;

export class HttpsNodeApi implements NodeApi {
  readonly #connection: ApiServerConnection;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;

  constructor(connection: ApiServerConnection, options: { readonly timeoutMs?: number; readonly maxResponseBytes?: number } = {}) {
    this.#connection = connection;
    this.#timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  }

  async readNode(name: string): Promise<ObservedNode> {
    const response = await this.#call('get', 'nodes', name, { method: 'GET', path: nodePath(name) });
    try {
      return observedNode(JSON.parse(response.body) as unknown);
    } catch (error: unknown) {
      throw new NodeApiError('get', 'nodes', response.status, `get nodes ${name}: HTTP ${String(response.status)}: the answer is not a Node: ${(error as Error).message}`, { cause: error });
    }
  }

  async patchNodeMetadata(name: string, patch: MetadataPatch): Promise<void> {
    await this.#call('patch', 'nodes', name, { method: 'PATCH', path: nodePath(name), query: { fieldManager: FIELD_MANAGER }, contentType: 'application/merge-patch+json', body: patch });
  }

  async patchNodeStatus(name: string, patch: ConditionPatch): Promise<void> {
    await this.#call('patch', 'nodes/status', name, {
      method: 'PATCH',
      path: `${nodePath(name)}/status`,
      query: { fieldManager: FIELD_MANAGER },
      contentType: 'application/strategic-merge-patch+json',
      body: patch,
    });
  }

  async #call(verb: NodeApiVerb, resource: NodeApiResource, name: string, request: Omit<ApiRequest, 'timeoutMs' | 'maxResponseBytes'>): Promise<ApiResponse> {
    let response: ApiResponse;
    try {
      response = await sendApiRequest(this.#connection, { ...request, timeoutMs: this.#timeoutMs, maxResponseBytes: this.#maxResponseBytes });
    } catch (error: unknown) {
      throw transportError(error, verb, resource, name);
    }
    if (response.status < 200 || response.status > 299) throw responseError(response, verb, resource, name);
    return response;
  }
}

function nodePath(name: string): string {
  return `/api/v1/nodes/${encodeURIComponent(name)}`;
}

/** An answer that is not a success: the status and the server's message (a Status object, or text). */
export function responseError(response: ApiResponse, verb: NodeApiVerb, resource: NodeApiResource, name: string): NodeApiError {
  const detail = serverMessage(response.body);
  return new NodeApiError(verb, resource, response.status, `${verb} ${resource} ${name}: HTTP ${String(response.status)}${detail === undefined ? '' : `: ${detail}`}`);
}

/** No (complete) answer: connection, TLS, timeout, credentials; the error is kept as cause. */
export function transportError(error: unknown, verb: NodeApiVerb, resource: NodeApiResource, name: string): NodeApiError {
  const what = `${verb} ${resource} ${name}`;
  if (error instanceof CredentialError) return new NodeApiError(verb, resource, undefined, `${what}: no credentials for the API server: ${error.message}`, { cause: error });
  if (error instanceof ApiResponseTooLargeError) return new NodeApiError(verb, resource, error.status, `${what}: HTTP ${String(error.status)}: ${error.message}`, { cause: error });
  const reason = error instanceof Error ? describeTransportError(error) : String(error);
  return new NodeApiError(verb, resource, undefined, `${what}: no answer from the API server: ${reason}`, { cause: error });
}

function describeTransportError(error: Error): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'request timed out';
  const code = errorCode(error) ?? errorCode(error.cause);
  // OpenSSL's messages are a dump of its error queue; its `reason` is the readable part.
  const message = 'reason' in error && typeof error.reason === 'string' && error.reason !== '' ? error.reason : error.message;
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function serverMessage(body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    return clip(body);
  }
  if (typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string') return clip(value.message);
  return typeof value === 'string' ? clip(value) : undefined;
}

function clip(text: string): string | undefined {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return undefined;
  return line.length <= MAX_SERVER_MESSAGE_CHARS ? line : `${line.slice(0, MAX_SERVER_MESSAGE_CHARS - 1)}…`;
}
