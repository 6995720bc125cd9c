// `patchwindow manifests kured --start <ISO> --end <ISO> [--zone Z] [--concurrency N]`: the YAML
// that the built-in method (a) applies for such a window, for review and GitOps. The same
// generator as the Kubernetes adapter, with kured's namespace, image, lock TTL and the user's kured
// options (kured.options.*) from the configuration.
import { kuredManifests, manifestsToYaml } from '../adapters/cluster/kubernetes/kured-manifests.ts';
import { DEFAULT_KURED_LOCK_TTL } from '../adapters/cluster/kubernetes/kured-manifests.ts';
import type { KuredUserOptions } from '../adapters/cluster/kubernetes/kured-options.ts';
import { reapJob } from '../adapters/cluster/kubernetes/reap-job.ts';
import type { SafetyNetOptions } from '../adapters/cluster/kubernetes/reap-job.ts';
import { reaperAccessManifests } from '../adapters/cluster/kubernetes/reaper-access.ts';
import { loadConfig } from '../config/load-config.ts';
import type { ConfigSources } from '../config/load-config.ts';
import { canonicalZoneName } from '../core/schedule/zone.ts';

export interface KuredManifestsOptions {
  readonly start?: string;
  readonly end?: string;
  readonly zone?: string;
  readonly concurrency?: string;
  readonly nodes?: string;
  readonly window?: string;
}

export interface Output {
  write(text: string): unknown;
}

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/i;

export function runKuredManifests(options: KuredManifestsOptions, sources: ConfigSources, io: { readonly stdout: Output; readonly stderr: Output }): number {
  const config = loadConfig(sources);
  const outcome = renderKuredManifests(options, {
    defaultZone: config.schedules.defaultZone,
    defaultConcurrency: config.windows.concurrency,
    namespace: config.kured.namespace,
    image: config.kured.image,
    lockTtl: config.kured.lockTtl,
    options: config.kured.options,
    safetyNet: config.safetyNet.enabled ? { image: config.safetyNet.image, graceMs: config.safetyNet.graceMs } : undefined,
  });
  if (!outcome.ok) {
    io.stderr.write(`patchwindow: ${outcome.error}\n`);
    return 2;
  }
  io.stdout.write(outcome.stdout);
  return 0;
}

export type RenderOutcome = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string };

export function renderKuredManifests(
  options: KuredManifestsOptions,
  context: {
    readonly defaultZone: string;
    readonly defaultConcurrency: number;
    readonly namespace: string;
    readonly image: string;
    /** kured.lockTtl (default 30m) and kured.options (default none). */
    readonly lockTtl?: string;
    readonly options?: KuredUserOptions;
    /** Set: the safety net too (the reaper's ServiceAccount and RBAC, the window's Job), as the adapter applies it. */
    readonly safetyNet?: SafetyNetOptions | undefined;
  },
): RenderOutcome {
  const start = instant('--start', options.start);
  if (!start.ok) return start;
  const end = instant('--end', options.end);
  if (!end.ok) return end;
  if (end.value.getTime() <= start.value.getTime()) return { ok: false, error: `--end ${options.end ?? ''} is not after --start ${options.start ?? ''}` };
  const zone = options.zone === undefined ? context.defaultZone : canonicalZoneName(options.zone);
  if (zone === undefined) return { ok: false, error: `--zone "${options.zone ?? ''}" is not an IANA time zone; example: --zone Europe/Zurich` };
  const concurrencyText = options.concurrency ?? String(context.defaultConcurrency);
  if (!/^\d{1,3}$/.test(concurrencyText) || Number(concurrencyText) < 1) {
    return { ok: false, error: `--concurrency "${concurrencyText}" is not a whole number from 1 to 999; example: --concurrency 2` };
  }
  const windowText = options.window ?? '0';
  if (!/^\d{1,15}$/.test(windowText)) return { ok: false, error: `--window "${windowText}" is not a window number; example: --window 12` };
  try {
    const manifests = kuredManifests(
      { windowId: Number(windowText), start: start.value, end: end.value, zone, concurrency: Number(concurrencyText), nodeSelector: options.nodes },
      {
        namespace: context.namespace,
        image: context.image,
        lockTtl: context.lockTtl ?? DEFAULT_KURED_LOCK_TTL,
        ...(context.options === undefined ? {} : { options: context.options }),
      },
    );
    const spec = { windowId: Number(windowText), start: start.value, end: end.value };
    const safetyNet = context.safetyNet === undefined ? [] : [...reaperAccessManifests(context.namespace), reapJob(spec, context.namespace, context.safetyNet)];
    return { ok: true, stdout: manifestsToYaml([...manifests, ...safetyNet]) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export function instant(flag: string, text: string | undefined): { readonly ok: true; readonly value: Date } | { readonly ok: false; readonly error: string } {
  if (text === undefined) return { ok: false, error: `${flag} is required: an ISO 8601 instant with an offset, e.g. ${flag} 2026-03-07T22:00:00+01:00` };
  const value = new Date(text);
  if (!INSTANT.test(text.trim()) || Number.isNaN(value.getTime())) {
    return { ok: false, error: `${flag} "${text}" is not an ISO 8601 instant with an offset; example: ${flag} 2026-03-07T22:00:00+01:00` };
  }
  return { ok: true, value };
}
