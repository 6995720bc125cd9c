// The Agent → Node contract (DESIGN.md "Contracts"): the names the agent writes and the bot reads.
// Everything under the `patchwindow.dev/` prefix on a Node belongs to the agent.

export const REBOOT_REQUIRED_ANNOTATION = 'patchwindow.dev/reboot-required';
/** RFC 3339; present only while a reboot is pending. */
export const REBOOT_REQUIRED_SINCE_ANNOTATION = 'patchwindow.dev/reboot-required-since';
/** Comma list, truncated; present only while pending and the packages are known. */
export const REBOOT_REQUIRED_PACKAGES_ANNOTATION = 'patchwindow.dev/reboot-required-packages';
/** RFC 3339 time of the scan last reported: the agent's heartbeat. */
export const LAST_SCAN_ANNOTATION = 'patchwindow.dev/last-scan';
export const AGENT_VERSION_ANNOTATION = 'patchwindow.dev/agent-version';

/** Owned annotations compared for changes; last-scan is the heartbeat and changes every write. */
export const REPORTED_ANNOTATIONS = [
  REBOOT_REQUIRED_ANNOTATION,
  REBOOT_REQUIRED_SINCE_ANNOTATION,
  REBOOT_REQUIRED_PACKAGES_ANNOTATION,
  AGENT_VERSION_ANNOTATION,
] as const;
export type ReportedAnnotation = (typeof REPORTED_ANNOTATIONS)[number];

/** `patchwindow.dev/reboot-required=true` while pending, absent otherwise (for `kubectl get nodes -l`). */
export const REBOOT_REQUIRED_LABEL = 'patchwindow.dev/reboot-required';

export const REBOOT_REQUIRED_CONDITION = 'RebootRequired';
export const DETECTION_REASONS = ['SentinelFile', 'SentinelCommand'] as const;
export type DetectionReason = (typeof DETECTION_REASONS)[number];

/** The packages annotation stays readable in `kubectl describe node` and far below the 256 KiB limit. */
export const MAX_PACKAGES_ANNOTATION_CHARS = 1000;
export const MAX_CONDITION_MESSAGE_CHARS = 1000;

/** RFC 3339 in UTC with whole seconds, the form Kubernetes itself writes. */
export function rfc3339(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
