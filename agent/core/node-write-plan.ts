// Decides what to write to the Node: nothing when the report is unchanged and no heartbeat is due,
// otherwise a merge patch for the owned metadata and/or a strategic-merge patch for the condition.
// Pure: the caller passes what it knows is on the Node and the scan time.
import {
  LAST_SCAN_ANNOTATION,
  REBOOT_REQUIRED_ANNOTATION,
  REBOOT_REQUIRED_CONDITION,
  REBOOT_REQUIRED_LABEL,
  REBOOT_REQUIRED_SINCE_ANNOTATION,
  REPORTED_ANNOTATIONS,
  rfc3339,
} from './node-contract.ts';
import type { ReportedAnnotation } from './node-contract.ts';
import type { NodeReport } from './node-report.ts';
import type { ObservedNode } from './observed-node.ts';

type OwnedAnnotation = ReportedAnnotation | typeof LAST_SCAN_ANNOTATION;

/** What the agent knows to be on the Node, limited to what it owns. */
export interface KnownNode {
  readonly annotations: Partial<Record<OwnedAnnotation, string>>;
  readonly label: string | undefined;
  readonly condition: { readonly status: string; readonly reason: string | undefined; readonly message: string | undefined } | undefined;
}

export const UNKNOWN_NODE: KnownNode = { annotations: {}, label: undefined, condition: undefined };

export function knownFromNode(node: ObservedNode): KnownNode {
  const annotations: Partial<Record<OwnedAnnotation, string>> = {};
  const owned: readonly OwnedAnnotation[] = [...REPORTED_ANNOTATIONS, LAST_SCAN_ANNOTATION];
  for (const key of owned) {
    const value = node.metadata?.annotations?.[key];
    if (value !== undefined) annotations[key] = value;
  }
  const condition = node.status?.conditions?.find((candidate) => candidate.type === REBOOT_REQUIRED_CONDITION);
  return {
    annotations,
    label: node.metadata?.labels?.[REBOOT_REQUIRED_LABEL],
    condition: condition === undefined ? undefined : { status: condition.status, reason: condition.reason, message: condition.message },
  };
}

/** A JSON merge patch (RFC 7386) of metadata: null removes a key. */
export interface MetadataPatch {
  readonly metadata: {
    readonly annotations: Readonly<Record<string, string | null>>;
    readonly labels?: Readonly<Record<string, string | null>>;
  };
}

/** A strategic-merge patch of status: conditions merge by `type`, so the kubelet's stay untouched. */
export interface ConditionPatch {
  readonly status: {
    readonly conditions: readonly [{
      readonly type: typeof REBOOT_REQUIRED_CONDITION;
      readonly status: 'True' | 'False';
      readonly reason: string;
      readonly message: string;
      readonly lastHeartbeatTime: string;
      /** Only when the status changes (or is new); left out, the API server keeps the earlier one. */
      readonly lastTransitionTime?: string;
    }];
  };
}

export interface WritePlan {
  /** Undefined: the metadata is already right and no heartbeat is due. `after`: the Node's metadata once written. */
  readonly metadata: { readonly patch: MetadataPatch; readonly after: Pick<KnownNode, 'annotations' | 'label'> } | undefined;
  /** Undefined: the condition is already right. `after`: the Node's condition once written. */
  readonly status: { readonly patch: ConditionPatch; readonly after: NonNullable<KnownNode['condition']> } | undefined;
}

export interface PlanInput {
  readonly desired: NodeReport;
  readonly known: KnownNode;
  readonly scannedAt: Date;
  readonly heartbeatDue: boolean;
}

export function planNodeWrite({ desired: wanted, known, scannedAt, heartbeatDue }: PlanInput): WritePlan {
  const desired = keepEarlierSince(wanted, known);
  const annotationChanges: Record<string, string | null> = {};
  for (const key of REPORTED_ANNOTATIONS) {
    const value = desired.annotations[key];
    if (value !== known.annotations[key]) annotationChanges[key] = value ?? null;
  }
  const labelChanged = desired.label !== known.label;
  const metadataChanged = Object.keys(annotationChanges).length > 0 || labelChanged;

  let metadata: WritePlan['metadata'];
  if (metadataChanged || heartbeatDue) {
    const lastScan = rfc3339(scannedAt);
    const annotations: Partial<Record<OwnedAnnotation, string>> = { [LAST_SCAN_ANNOTATION]: lastScan };
    for (const key of REPORTED_ANNOTATIONS) {
      const value = desired.annotations[key];
      if (value !== undefined) annotations[key] = value;
    }
    metadata = {
      patch: {
        metadata: {
          annotations: { ...annotationChanges, [LAST_SCAN_ANNOTATION]: lastScan },
          ...(labelChanged ? { labels: { [REBOOT_REQUIRED_LABEL]: desired.label ?? null } } : {}),
        },
      },
      after: { annotations, label: desired.label },
    };
  }

  let status: WritePlan['status'];
  const condition = desired.condition;
  const current = known.condition;
  if (condition !== undefined && (current?.status !== condition.status || current.reason !== condition.reason || current.message !== condition.message)) {
    const transition = current?.status !== condition.status;
    const since = desired.annotations[REBOOT_REQUIRED_SINCE_ANNOTATION];
    const transitionTime = condition.status === 'True' && since !== undefined ? since : rfc3339(scannedAt);
    status = {
      patch: {
        status: {
          conditions: [{
            type: REBOOT_REQUIRED_CONDITION,
            status: condition.status,
            reason: condition.reason,
            message: condition.message,
            lastHeartbeatTime: rfc3339(scannedAt),
            ...(transition ? { lastTransitionTime: transitionTime } : {}),
          }],
        },
      },
      after: { status: condition.status, reason: condition.reason, message: condition.message },
    };
  }
  return { metadata, status };
}

/**
 * A reboot still pending keeps the "since" already on the Node when that is earlier: after an agent
 * restart in command mode (no file time to go by) the Node must not look freshly pending.
 */
function keepEarlierSince(desired: NodeReport, known: KnownNode): NodeReport {
  const wanted = desired.annotations[REBOOT_REQUIRED_SINCE_ANNOTATION];
  const onNode = known.annotations[REBOOT_REQUIRED_SINCE_ANNOTATION];
  if (wanted === undefined || onNode === undefined || known.annotations[REBOOT_REQUIRED_ANNOTATION] !== 'true') return desired;
  const onNodeTime = Date.parse(onNode);
  if (Number.isNaN(onNodeTime) || onNodeTime >= Date.parse(wanted)) return desired;
  return { ...desired, annotations: { ...desired.annotations, [REBOOT_REQUIRED_SINCE_ANNOTATION]: rfc3339(new Date(onNodeTime)) } };
}
