// The agent's only way to the Kubernetes API: read its Node, patch its metadata and its status.
import type { ConditionPatch, MetadataPatch } from '../core/node-write-plan.ts';
import type { ObservedNode } from '../core/observed-node.ts';

export type NodeApiVerb = 'get' | 'patch';
export type NodeApiResource = 'nodes' | 'nodes/status';

export interface NodeApi {
  readNode(name: string): Promise<ObservedNode>;
  /** JSON merge patch of the Node object. */
  patchNodeMetadata(name: string, patch: MetadataPatch): Promise<void>;
  /** Strategic-merge patch through the nodes/status subresource. */
  patchNodeStatus(name: string, patch: ConditionPatch): Promise<void>;
}

/** A failed API call, with the RBAC verb and resource it needed so a 403 can say what is missing. */
export class NodeApiError extends Error {
  override readonly name = 'NodeApiError';
  readonly verb: NodeApiVerb;
  readonly resource: NodeApiResource;
  /** HTTP status, or undefined when no answer came (connection refused, timeout, TLS). */
  readonly status: number | undefined;

  constructor(verb: NodeApiVerb, resource: NodeApiResource, status: number | undefined, message: string, options?: ErrorOptions) {
    super(message, options);
    this.verb = verb;
    this.resource = resource;
    this.status = status;
  }
}
