// The values for the official kured chart (kubereboot/kured 6.1.x, kured 1.23) that make it deploy
// kured for one window (method (b), helm): the same window flags, lock TTL, node annotations,
// concurrency and user options as the built-in manifests (kuredArgs), in the chart's own value
// names (configuration.*, image.*, extraArgs for what the chart has no value for).
// The chart names kured's DaemonSet after fullnameOverride and passes it as --ds-name, so the
// release name fixes where the lock lives. The window id rides on dsAnnotations (the chart
// copies them onto the DaemonSet), which is where rebootDaemon() reads it.
// The chart writes each value unquoted into a YAML list item (`- --flag={{ value }}`), so a value
// that YAML would read differently (": ", " #", a trailing ":", surrounding spaces) is refused
// here rather than silently changed.
import type { RebootDaemonSpec } from '../../../core/ports/cluster-port.ts';
import { kuredWindowFlags, nodeAffinity, SENTINEL_MOUNT, WINDOW_LABEL } from './kured-manifests.ts';
import type { KuredManifestOptions } from './kured-manifests.ts';
import { flagArg, NO_KURED_OPTIONS } from './kured-options.ts';

export interface KuredHelmValueOptions extends KuredManifestOptions {
  /** The release's DaemonSet name (fullnameOverride): kured's --ds-name. */
  readonly daemonSetName: string;
}

type Scalar = string | boolean;
type ConfigurationValues = Record<string, Scalar | readonly string[]>;

export function kuredHelmValues(spec: RebootDaemonSpec, options: KuredHelmValueOptions): Record<string, unknown> {
  if (!Number.isInteger(spec.concurrency) || spec.concurrency < 1) {
    throw new RangeError(`reboot daemon concurrency must be a positive integer, not ${spec.concurrency}`);
  }
  const window = kuredWindowFlags(spec.start, spec.end, spec.zone);
  const user = options.options ?? NO_KURED_OPTIONS;
  const sentinelFile = user.rebootSentinelCommand === undefined;
  const configuration: ConfigurationValues = {
    period: '1m',
    startTime: window.startTime,
    endTime: window.endTime,
    rebootDays: [...window.rebootDays],
    timeZone: window.timeZone,
    lockTtl: options.lockTtl,
    annotateNodes: true,
    concurrency: String(spec.concurrency),
    useRebootSentinelHostPath: sentinelFile,
    ...(sentinelFile ? { rebootSentinel: `${SENTINEL_MOUNT}/reboot-required` } : {}),
  };
  const set = (key: string, flag: string, value: string | number | boolean | undefined): void => {
    if (value === undefined || value === false) return;
    configuration[key] = typeof value === 'boolean' ? value : chartSafe(flag, String(value));
  };
  const list = (key: string, flag: string, values: readonly string[]): void => {
    if (values.length > 0) configuration[key] = values.map((value) => chartSafe(flag, value));
  };
  list('blockingPodSelector', 'blocking-pod-selector', user.blockingPodSelectors);
  set('prometheusUrl', 'prometheus-url', user.prometheusUrl);
  set('alertFilterRegexp', 'alert-filter-regexp', user.alertFilterRegexp);
  set('alertFilterMatchOnly', 'alert-filter-match-only', user.alertFilterMatchOnly);
  set('alertFiringOnly', 'alert-firing-only', user.alertFiringOnly);
  set('drainTimeout', 'drain-timeout', user.drainTimeout);
  set('drainDelay', 'drain-delay', user.drainDelay);
  set('drainGracePeriod', 'drain-grace-period', user.drainGracePeriod);
  set('drainPodSelector', 'drain-pod-selector', user.drainPodSelector);
  set('skipWaitForDeleteTimeout', 'skip-wait-for-delete-timeout', user.skipWaitForDeleteTimeout);
  set('forceReboot', 'force-reboot', user.forceReboot);
  set('rebootSentinelCommand', 'reboot-sentinel-command', user.rebootSentinelCommand);
  set('rebootCommand', 'reboot-command', user.rebootCommand);
  set('rebootDelay', 'reboot-delay', user.rebootDelay);
  set('lockReleaseDelay', 'lock-release-delay', user.lockReleaseDelay);
  set('preferNoScheduleTaint', 'prefer-no-schedule-taint', user.preferNoScheduleTaint);
  list('preRebootNodeLabels', 'pre-reboot-node-labels', user.preRebootNodeLabels);
  list('postRebootNodeLabels', 'post-reboot-node-labels', user.postRebootNodeLabels);
  // The chart has no values for these: extraArgs become `--key=value`.
  const extraArgs: Record<string, string> = {};
  if (user.rebootMethod !== undefined) extraArgs['reboot-method'] = chartSafe('reboot-method', user.rebootMethod);
  if (user.rebootSignal !== undefined) extraArgs['reboot-signal'] = chartSafe('reboot-signal', String(user.rebootSignal));
  const affinity = nodeAffinity(spec.nodeSelector);
  const windowId = String(spec.windowId);
  return {
    fullnameOverride: options.daemonSetName,
    image: { ...imageValues(options.image), pullPolicy: 'IfNotPresent' },
    dsAnnotations: { [WINDOW_LABEL]: windowId },
    podLabels: { [WINDOW_LABEL]: windowId },
    configuration,
    extraArgs,
    ...(affinity === undefined ? {} : { affinity }),
  };
}

/** `registry/name:tag` (a digest may follow the tag) as the chart's image.repository and image.tag. */
export function imageValues(image: string): { readonly repository: string; readonly tag: string } {
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? '' : image.slice(at);
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  if (!hasTag && digest !== '') {
    throw new RangeError(`kured image ${image}: the kured chart writes repository:tag, so a digest needs a tag before it (e.g. kured:1.23.0@sha256:…)`);
  }
  return hasTag ? { repository: named.slice(0, colon), tag: named.slice(colon + 1) + digest } : { repository: named, tag: '' };
}

/** The value as flagArg checks it, and as YAML reads it back from the chart's unquoted template. */
function chartSafe(flag: string, value: string): string {
  flagArg(flag, value);
  if (value !== value.trim() || /: | #|:$/.test(value)) {
    throw new RangeError(
      `the value of --${flag} (${JSON.stringify(value)}) cannot go through the kured chart: the chart writes it unquoted into YAML, where ": ", " #", a trailing ":" or surrounding spaces change it; use kured.method manifests or another value`,
    );
  }
  return value;
}
