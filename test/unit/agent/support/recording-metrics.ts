// AgentMetrics that remembers what it was told.
import type { DetectionState } from '../../../../agent/core/detection.ts';
import type { AgentMetrics } from '../../../../agent/ports/agent-metrics.ts';
import type { DetectionFailure } from '../../../../agent/ports/detector.ts';
import type { NodeApiResource, NodeApiVerb } from '../../../../agent/ports/node-api.ts';

export class RecordingMetrics implements AgentMetrics {
  readonly scans: DetectionState[] = [];
  readonly scanFailures: DetectionFailure[] = [];
  readonly apiFailures: string[] = [];
  readonly writes: NodeApiResource[] = [];

  scanned(state: DetectionState): void {
    this.scans.push(state);
  }

  scanFailed(kind: DetectionFailure): void {
    this.scanFailures.push(kind);
  }

  apiFailed(verb: NodeApiVerb, resource: NodeApiResource, status: number | undefined): void {
    this.apiFailures.push(`${verb} ${resource} ${String(status)}`);
  }

  nodeWritten(resource: NodeApiResource): void {
    this.writes.push(resource);
  }
}
