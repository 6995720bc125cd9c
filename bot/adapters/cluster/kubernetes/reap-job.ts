// The in-cluster safety net of a window: a Job, created with kured, that runs
// `patchwindow reap` from the bot's own image and removes kured at the window's end plus a grace
// period if the bot has not done so itself (a dead bot never leaves a live reboot daemon behind).
// Pure: the same Job for the adapter (server-side apply) and `patchwindow manifests kured`.
import type { RebootDaemonSpec } from '../../../core/ports/cluster-port.ts';
import { VERSION } from '../../../version.ts';
import { MANAGED_BY, MANAGED_BY_LABEL, WINDOW_LABEL } from './kured-manifests.ts';
import type { KubeManifest } from './kured-manifests.ts';

/** The ServiceAccount (and RBAC name) the Job runs as; see reaper-access.ts. */
export const REAPER_NAME = 'patchwindow-reaper';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const REAPER_COMPONENT = 'reaper';
export const DEFAULT_PATCHWINDOW_IMAGE = `ghcr.io/patchwindow/patchwindow:${VERSION}`;
export const DEFAULT_REAP_GRACE_MS = 2 * 60_000;
/** Time the Job has after `--at` for the removal itself, pod restarts included. */
const REMOVAL_ALLOWANCE_S = 15 * 60;
/** A finished Job (and its pod's log) stays this long for anyone looking, then Kubernetes deletes it. */
const FINISHED_TTL_S = 3600;
/** The conventional "nonroot" uid of the image (Dockerfile: USER 65532). */
const NON_ROOT_ID = 65532;

export interface SafetyNetOptions {
  /** The patchwindow image (the bot's own); its entrypoint is the `patchwindow` CLI. */
  readonly image: string;
  /** How long after the window's end the Job removes kured (default 2 min). */
  readonly graceMs: number;
}

export const DEFAULT_SAFETY_NET_OPTIONS: SafetyNetOptions = Object.freeze({ image: DEFAULT_PATCHWINDOW_IMAGE, graceMs: DEFAULT_REAP_GRACE_MS });

type ReapWindow = Pick<RebootDaemonSpec, 'windowId' | 'start' | 'end'>;

export function reapJobName(windowId: number): string {
  return `patchwindow-reap-${windowId}`;
}

/** When the safety net acts: the window's end plus the grace. */
export function reapAt(window: Pick<RebootDaemonSpec, 'end'>, graceMs: number): Date {
  if (!Number.isInteger(graceMs) || graceMs < 0) throw new RangeError(`the safety net's grace must be a whole number of milliseconds >= 0, not ${graceMs}`);
  return new Date(window.end.getTime() + graceMs);
}

/** The container's arguments (the image's entrypoint is the `patchwindow` CLI). */
export function reapArgs(window: Pick<RebootDaemonSpec, 'windowId' | 'end'>, namespace: string, graceMs: number): string[] {
  return ['reap', '--namespace', namespace, '--window', String(window.windowId), '--at', reapAt(window, graceMs).toISOString()];
}

/**
 * The Job for one window in kured's namespace. Its pod waits until `--at`; a Job is created when
 * the window opens, so the whole window plus the grace plus REMOVAL_ALLOWANCE_S bounds its
 * run (activeDeadlineSeconds counts from the Job's start). kured drains nodes during the window and
 * may evict this pod: a disruption does not count as a failure, the Job starts another pod, which
 * waits for the same instant.
 */
export function reapJob(window: ReapWindow, namespace: string, options: SafetyNetOptions = DEFAULT_SAFETY_NET_OPTIONS): KubeManifest {
  if (!(window.end.getTime() > window.start.getTime())) throw new RangeError(`window end ${window.end.toISOString()} is not after its start ${window.start.toISOString()}`);
  const labels = {
    'app.kubernetes.io/name': 'patchwindow',
    [COMPONENT_LABEL]: REAPER_COMPONENT,
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [WINDOW_LABEL]: String(window.windowId),
  };
  const activeDeadlineSeconds = Math.ceil((window.end.getTime() - window.start.getTime() + options.graceMs) / 1000) + REMOVAL_ALLOWANCE_S;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: reapJobName(window.windowId), namespace, labels },
    spec: {
      backoffLimit: 4,
      activeDeadlineSeconds,
      ttlSecondsAfterFinished: FINISHED_TTL_S,
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          serviceAccountName: REAPER_NAME,
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 10,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: NON_ROOT_ID,
            runAsGroup: NON_ROOT_ID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'reap',
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              args: reapArgs(window, namespace, options.graceMs),
              env: [
                { name: 'PATCHWINDOW_LOG_FORMAT', value: 'json' },
                // the same small old space as the agent: reap holds almost nothing
                { name: 'NODE_OPTIONS', value: '--max-old-space-size=96' },
              ],
              // Measured in the cluster tier (test-results/cluster/safety-net.json): ~207 MiB peak RSS,
              // most of it Node and the CLI's imports; CPU only at start and at --at.
              resources: { requests: { cpu: '10m', memory: '224Mi' }, limits: { cpu: '250m', memory: '384Mi' } },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}
