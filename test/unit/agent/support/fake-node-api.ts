// An in-memory Node that applies the agent's patches the way the API server would (merge patch
// for metadata, conditions merged by type for status), records every call, and fails on demand.
import type { ObservedNode } from '../../../../agent/core/observed-node.ts';
import type { ConditionPatch, MetadataPatch } from '../../../../agent/core/node-write-plan.ts';
import { NodeApiError } from '../../../../agent/ports/node-api.ts';
import type { NodeApi, NodeApiResource, NodeApiVerb } from '../../../../agent/ports/node-api.ts';

export interface StoredCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface FakeNode {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  conditions: StoredCondition[];
}

export type ApiCall =
  | { readonly verb: 'get'; readonly resource: 'nodes'; readonly name: string }
  | { readonly verb: 'patch'; readonly resource: 'nodes'; readonly name: string; readonly body: MetadataPatch }
  | { readonly verb: 'patch'; readonly resource: 'nodes/status'; readonly name: string; readonly body: ConditionPatch };

export class FakeNodeApi implements NodeApi {
  readonly node: FakeNode;
  readonly calls: ApiCall[] = [];
  /** Failures to throw, consumed one per matching call. */
  readonly #failures: { verb: NodeApiVerb; resource: NodeApiResource; status: number | undefined }[] = [];

  constructor(node: Partial<FakeNode> = {}) {
    this.node = {
      annotations: node.annotations ?? {},
      labels: node.labels ?? { 'kubernetes.io/hostname': 'node-a' },
      conditions: node.conditions ?? [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    };
  }

  failNext(verb: NodeApiVerb, resource: NodeApiResource, status: number | undefined, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push({ verb, resource, status });
  }

  writes(): ApiCall[] {
    return this.calls.filter((call) => call.verb === 'patch');
  }

  readNode(name: string): Promise<ObservedNode> {
    this.calls.push({ verb: 'get', resource: 'nodes', name });
    this.#maybeFail('get', 'nodes', name);
    return Promise.resolve(structuredClone({ metadata: { annotations: this.node.annotations, labels: this.node.labels }, status: { conditions: this.node.conditions } }));
  }

  patchNodeMetadata(name: string, patch: MetadataPatch): Promise<void> {
    this.calls.push({ verb: 'patch', resource: 'nodes', name, body: structuredClone(patch) });
    this.#maybeFail('patch', 'nodes', name);
    mergeInto(this.node.annotations, patch.metadata.annotations);
    if (patch.metadata.labels !== undefined) mergeInto(this.node.labels, patch.metadata.labels);
    return Promise.resolve();
  }

  patchNodeStatus(name: string, patch: ConditionPatch): Promise<void> {
    this.calls.push({ verb: 'patch', resource: 'nodes/status', name, body: structuredClone(patch) });
    this.#maybeFail('patch', 'nodes/status', name);
    for (const condition of patch.status.conditions) {
      const existing = this.node.conditions.find((candidate) => candidate.type === condition.type);
      if (existing === undefined) this.node.conditions.push({ ...condition });
      else Object.assign(existing, condition);
    }
    return Promise.resolve();
  }

  #maybeFail(verb: NodeApiVerb, resource: NodeApiResource, name: string): void {
    const index = this.#failures.findIndex((failure) => failure.verb === verb && failure.resource === resource);
    if (index === -1) return;
    const [failure] = this.#failures.splice(index, 1);
    const status = failure?.status;
    throw new NodeApiError(verb, resource, status, `${verb} ${resource} ${name}: ${status === undefined ? 'no answer' : `HTTP ${status}`}`);
  }
}

function mergeInto(target: Record<string, string>, patch: Readonly<Record<string, string | null>>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(target, key);
    else target[key] = value;
  }
}
