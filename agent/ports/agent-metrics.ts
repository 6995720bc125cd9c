// What the agent counts; the Prometheus adapter implements it.
import type { DetectionState } from '../core/detection.ts';
import type { DetectionFailure } from './detector.ts';
import type { NodeApiResource, NodeApiVerb } from './node-api.ts';

export interface AgentMetrics {
  scanned(state: DetectionState): void;
  scanFailed(kind: DetectionFailure): void;
  apiFailed(verb: NodeApiVerb, resource: NodeApiResource, status: number | undefined): void;
  nodeWritten(resource: NodeApiResource): void;
}
