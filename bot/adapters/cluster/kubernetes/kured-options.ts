// The user's own kured options (kured.options.* in the configuration), typed and validated, and
// the kured 1.23 command-line flags they become. Only what teams tune is here: blocking pods,
// Prometheus alerts, drain behaviour, how the node is found to need a reboot and how it reboots.
// The flags that make kured a patchwindow window (period, start/end time, reboot days, time zone,
// concurrency, its DaemonSet, the lock TTL and annotation, node annotations, the sentinel file)
// are patchwindow's and can never be set through these options.
// kured's own notifications (--notify-url, message templates) are left out on purpose: patchwindow
// reports every step into the chat itself.
import { parseLabelSelector } from '../../../core/cluster/label-selector.ts';

export const REBOOT_METHODS = ['command', 'signal'] as const;
export type RebootMethod = (typeof REBOOT_METHODS)[number];

export interface KuredUserOptions {
  /** --blocking-pod-selector, once per selector: a matching pod on the node postpones its reboot. */
  readonly blockingPodSelectors: readonly string[];
  /** --prometheus-url: active alerts there postpone reboots. */
  readonly prometheusUrl: string | undefined;
  /** --alert-filter-regexp: alert names to ignore (or, with alertFilterMatchOnly, the only ones that count). */
  readonly alertFilterRegexp: string | undefined;
  readonly alertFilterMatchOnly: boolean;
  readonly alertFiringOnly: boolean;
  /** Go durations, e.g. 10m. */
  readonly drainTimeout: string | undefined;
  readonly drainDelay: string | undefined;
  /** Seconds each evicted pod gets; -1: the pod's own terminationGracePeriodSeconds. */
  readonly drainGracePeriod: number | undefined;
  readonly drainPodSelector: string | undefined;
  /** Seconds after which pods stuck in deletion are no longer waited for. */
  readonly skipWaitForDeleteTimeout: number | undefined;
  /** Reboot even when the drain fails or times out. */
  readonly forceReboot: boolean;
  /** kured's own pending-reboot check on the host (exit 0 = reboot needed), instead of /var/run/reboot-required. */
  readonly rebootSentinelCommand: string | undefined;
  readonly rebootMethod: RebootMethod | undefined;
  /** With rebootMethod command: run on the host (kured splits it like a shell would, without a shell). */
  readonly rebootCommand: string | undefined;
  /** With rebootMethod signal: the signal sent to the host's PID 1. */
  readonly rebootSignal: number | undefined;
  readonly rebootDelay: string | undefined;
  readonly lockReleaseDelay: string | undefined;
  /** A PreferNoSchedule taint kured puts on a node about to reboot. */
  readonly preferNoScheduleTaint: string | undefined;
  /** key=value labels kured sets on a node before cordoning it, and after uncordoning it. */
  readonly preRebootNodeLabels: readonly string[];
  readonly postRebootNodeLabels: readonly string[];
}

export const NO_KURED_OPTIONS: KuredUserOptions = Object.freeze({
  blockingPodSelectors: [],
  prometheusUrl: undefined,
  alertFilterRegexp: undefined,
  alertFilterMatchOnly: false,
  alertFiringOnly: false,
  drainTimeout: undefined,
  drainDelay: undefined,
  drainGracePeriod: undefined,
  drainPodSelector: undefined,
  skipWaitForDeleteTimeout: undefined,
  forceReboot: false,
  rebootSentinelCommand: undefined,
  rebootMethod: undefined,
  rebootCommand: undefined,
  rebootSignal: undefined,
  rebootDelay: undefined,
  lockReleaseDelay: undefined,
  preferNoScheduleTaint: undefined,
  preRebootNodeLabels: [],
  postRebootNodeLabels: [],
});

/** Flags patchwindow sets itself; a user option never produces one of them. */
export const PATCHWINDOW_OWNED_FLAGS: readonly string[] = Object.freeze([
  'ds-name',
  'ds-namespace',
  'period',
  'start-time',
  'end-time',
  'reboot-days',
  'time-zone',
  'concurrency',
  'lock-ttl',
  'lock-annotation',
  'annotate-nodes',
  'reboot-sentinel',
  'node-id',
]);

/** The flags for `options`, each one argv element `--flag=value`, in a fixed order. */
export function kuredOptionArgs(options: KuredUserOptions): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | number | boolean | undefined): void => {
    if (value === undefined || value === false) return;
    args.push(flagArg(flag, String(value)));
  };
  for (const selector of options.blockingPodSelectors) add('blocking-pod-selector', selector);
  add('prometheus-url', options.prometheusUrl);
  add('alert-filter-regexp', options.alertFilterRegexp);
  add('alert-filter-match-only', options.alertFilterMatchOnly);
  add('alert-firing-only', options.alertFiringOnly);
  add('drain-timeout', options.drainTimeout);
  add('drain-delay', options.drainDelay);
  add('drain-grace-period', options.drainGracePeriod);
  add('drain-pod-selector', options.drainPodSelector);
  add('skip-wait-for-delete-timeout', options.skipWaitForDeleteTimeout);
  add('force-reboot', options.forceReboot);
  add('reboot-sentinel-command', options.rebootSentinelCommand);
  add('reboot-method', options.rebootMethod);
  add('reboot-command', options.rebootCommand);
  add('reboot-signal', options.rebootSignal);
  add('reboot-delay', options.rebootDelay);
  add('lock-release-delay', options.lockReleaseDelay);
  add('prefer-no-schedule-taint', options.preferNoScheduleTaint);
  for (const label of options.preRebootNodeLabels) add('pre-reboot-node-labels', label);
  for (const label of options.postRebootNodeLabels) add('post-reboot-node-labels', label);
  return args;
}

/**
 * One argv element. The value was validated with the configuration; this is the last guard:
 * a control character (a newline, NUL) never reaches kured, and an owned flag is never produced.
 */
export function flagArg(flag: string, value: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(flag)) throw new RangeError(`"${flag}" is not a kured flag name`);
  if (PATCHWINDOW_OWNED_FLAGS.includes(flag)) throw new RangeError(`--${flag} is set by patchwindow and cannot be a user option`);
  if (CONTROL_CHARACTER.test(value)) throw new RangeError(`the value of --${flag} contains a control character (newline, tab or NUL)`);
  return `--${flag}=${value}`;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Printable text of a sane length: what free-text option values (commands, URLs, regexps) must be. */
export function isPrintableText(text: string, maxLength = 1024): boolean {
  return text.trim() !== '' && text.length <= maxLength && !CONTROL_CHARACTER.test(text);
}

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const GO_DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A non-negative Go duration (time.ParseDuration: 30m, 1h30m, 90s, 0) in milliseconds; undefined when it is not one. */
export function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (!GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount = '0', unit = 'ms'] of text.matchAll(GO_DURATION_PART)) total += Number(amount) * (UNIT_MS[unit] ?? 0);
  return total;
}

/**
 * Why `pattern` is not a Go (RE2) regular expression, or undefined when it is one as far as can be
 * told here: it must compile, with RE2's leading flag group `(?i)` and `(?P<name>…)` groups read
 * as such, and must not use what RE2 lacks (lookaround, backreferences) and kured would refuse.
 */
export function goRegexpProblem(pattern: string): string | undefined {
  if (!isPrintableText(pattern)) return 'it is empty, too long or contains control characters';
  if (/\(\?<?[=!]/.test(pattern)) return 'lookahead and lookbehind are not supported by Go regular expressions';
  if (/\\[1-9]/.test(pattern)) return 'backreferences are not supported by Go regular expressions';
  const flags = /^\(\?([imsU]+)\)/.exec(pattern);
  const body = (flags === null ? pattern : pattern.slice(flags[0].length)).replaceAll('(?P<', '(?<');
  // RE2's i, m and s mean what JavaScript's do; U (ungreedy) has no counterpart and changes no syntax.
  const jsFlags = ['i', 'm', 's'].filter((flag) => flags?.[1]?.includes(flag) === true).join('');
  try {
    new RegExp(body, jsFlags);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function labelSelectorProblem(selector: string): string | undefined {
  if (!isPrintableText(selector, 4096)) return 'it is empty, too long or contains control characters';
  const parsed = parseLabelSelector(selector);
  return parsed.ok ? undefined : parsed.message;
}

const QUALIFIED_NAME = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** A Kubernetes label key or taint key: an optional DNS-subdomain prefix and a name. */
export function isQualifiedName(text: string): boolean {
  const prefix = text.includes('/') ? text.slice(0, text.indexOf('/')) : '';
  return QUALIFIED_NAME.test(text) && prefix.length <= 253;
}

/** `key=value` as kured's --pre/post-reboot-node-labels take it. */
export function isNodeLabel(text: string): boolean {
  const equals = text.indexOf('=');
  if (equals < 1) return false;
  return isQualifiedName(text.slice(0, equals)) && LABEL_VALUE.test(text.slice(equals + 1));
}

/** An http(s) URL without credentials in it (they would show in the DaemonSet, in `manifests kured` and in logs). */
export function prometheusUrlProblem(text: string): string | undefined {
  if (!isPrintableText(text, 2048) || /\s/.test(text)) return 'it is empty, too long or contains spaces or control characters';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'it is not an http or https URL';
  if (url.username !== '' || url.password !== '') return 'it has credentials in it';
  return undefined;
}
