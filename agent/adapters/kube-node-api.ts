// The NodeApi port on @kubernetes/client-node 2.x. Patch content types are set explicitly: the
// generated client would otherwise pick application/json-patch+json, which these bodies are not.
// Every request has a timeout, so a hung connection cannot stall the reporter forever.
import { ApiException, CoreV1Api, Observable, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig, ObservableMiddleware, RequestContext, ResponseContext, V1Node } from '@kubernetes/client-node';
import type { ObservedNode } from '../core/observed-node.ts';
import type { ConditionPatch, MetadataPatch } from '../core/node-write-plan.ts';
import { NodeApiError } from '../ports/node-api.ts';
import type { NodeApi, NodeApiResource, NodeApiVerb } from '../ports/node-api.ts';

export const FIELD_MANAGER = 'patchwindow-agent';
export const REQUEST_TIMEOUT_MS = 30_000;
const MAX_SERVER_MESSAGE_CHARS = 300;

export class KubeNodeApi implements NodeApi {
  readonly #core: CoreV1Api;
  readonly #timeoutMs: number;

  constructor(kubeConfig: KubeConfig, options: { readonly timeoutMs?: number } = {}) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  async readNode(name: string): Promise<ObservedNode> {
    const node = await this.#call('get', 'nodes', name, () => this.#core.readNode({ name }, this.#options()));
    return observed(node);
  }

  async patchNodeMetadata(name: string, patch: MetadataPatch): Promise<void> {
    await this.#call('patch', 'nodes', name, () =>
      this.#core.patchNode({ name, body: patch, fieldManager: FIELD_MANAGER }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch, this.#options())),
    );
  }

  async patchNodeStatus(name: string, patch: ConditionPatch): Promise<void> {
    await this.#call('patch', 'nodes/status', name, () =>
      this.#core.patchNodeStatus(
        { name, body: patch, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch, this.#options()),
      ),
    );
  }

  #options(): ConfigurationOptions {
    return { middleware: [timeoutMiddleware(this.#timeoutMs)], middlewareMergeStrategy: 'append' };
  }

  async #call<T>(verb: NodeApiVerb, resource: NodeApiResource, name: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error: unknown) {
      throw translateError(error, verb, resource, name);
    }
  }
}

function timeoutMiddleware(timeoutMs: number): ObservableMiddleware {
  return {
    pre: (request: RequestContext) => {
      request.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(request));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
}

/** The client's errors carry response headers and bodies; keep the status and the server's message. */
export function translateError(error: unknown, verb: NodeApiVerb, resource: NodeApiResource, name: string): NodeApiError {
  const what = `${verb} ${resource} ${name}`;
  if (error instanceof ApiException) {
    const code = (error as ApiException<unknown>).code;
    const detail = serverMessage((error as ApiException<unknown>).body);
    return new NodeApiError(verb, resource, code, `${what}: HTTP ${code}${detail === undefined ? '' : `: ${detail}`}`, { cause: error });
  }
  const reason = error instanceof Error ? describeTransportError(error) : String(error);
  return new NodeApiError(verb, resource, undefined, `${what}: no answer from the API server: ${reason}`, { cause: error });
}

function describeTransportError(error: Error): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'request timed out';
  const cause = error.cause;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  return code === undefined ? error.message : `${error.message} (${code})`;
}

function serverMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return clip(body);
    }
  }
  if (typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string') return clip(value.message);
  return undefined;
}

function clip(text: string): string | undefined {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return undefined;
  return line.length <= MAX_SERVER_MESSAGE_CHARS ? line : `${line.slice(0, MAX_SERVER_MESSAGE_CHARS - 1)}…`;
}

function observed(node: V1Node): ObservedNode {
  return {
    metadata: { annotations: node.metadata?.annotations, labels: node.metadata?.labels },
    status: {
      conditions: node.status?.conditions?.map((condition) => ({
        type: condition.type,
        status: condition.status,
        reason: condition.reason,
        message: condition.message,
      })),
    },
  };
}
