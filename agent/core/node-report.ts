// The report the agent wants on its Node for a detection state: owned annotations, the label and
// the RebootRequired condition. Pure; the heartbeat (last-scan) is added when writing.
import type { DetectionState } from './detection.ts';
import {
  AGENT_VERSION_ANNOTATION,
  MAX_CONDITION_MESSAGE_CHARS,
  MAX_PACKAGES_ANNOTATION_CHARS,
  REBOOT_REQUIRED_ANNOTATION,
  REBOOT_REQUIRED_PACKAGES_ANNOTATION,
  REBOOT_REQUIRED_SINCE_ANNOTATION,
  rfc3339,
} from './node-contract.ts';
import type { DetectionReason, ReportedAnnotation } from './node-contract.ts';
import { packagesAnnotation } from './package-list.ts';

export interface ReportCondition {
  readonly status: 'True' | 'False';
  readonly reason: DetectionReason;
  readonly message: string;
}

/** The agent's part of a Node: absent keys are absent on the Node. */
export interface NodeReport {
  readonly annotations: Partial<Record<ReportedAnnotation, string>>;
  /** The reboot-required label's value, or undefined when the label must be absent. */
  readonly label: string | undefined;
  readonly condition: ReportCondition | undefined;
}

export function desiredNodeReport(state: DetectionState, version: string): NodeReport {
  const annotations: Partial<Record<ReportedAnnotation, string>> = {
    [REBOOT_REQUIRED_ANNOTATION]: state.pending ? 'true' : 'false',
    [AGENT_VERSION_ANNOTATION]: version,
  };
  if (state.pending && state.since !== undefined) annotations[REBOOT_REQUIRED_SINCE_ANNOTATION] = rfc3339(state.since);
  if (state.pending && state.packages.length > 0) {
    annotations[REBOOT_REQUIRED_PACKAGES_ANNOTATION] = packagesAnnotation(state.packages, MAX_PACKAGES_ANNOTATION_CHARS);
  }
  return {
    annotations,
    label: state.pending ? 'true' : undefined,
    condition: { status: state.pending ? 'True' : 'False', reason: state.reason, message: conditionMessage(state) },
  };
}

function conditionMessage(state: DetectionState): string {
  const verdict = state.pending ? 'reboot required' : 'no reboot required';
  const packages = state.packages.length > 0 ? ` (packages: ${state.packages.join(', ')})` : '';
  const message = `${verdict}: ${state.evidence}${packages}`;
  return message.length <= MAX_CONDITION_MESSAGE_CHARS ? message : `${message.slice(0, MAX_CONDITION_MESSAGE_CHARS - 1)}…`;
}
