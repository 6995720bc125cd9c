// The safety-net Job: `patchwindow reap` for the window at its end plus the grace, from the bot's
// image, as the reaper ServiceAccount, bounded in time, surviving kured's drain of its node,
// non-root; its arguments are exactly what the reap command accepts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_KURED_MANIFEST_OPTIONS, kuredManifests, WINDOW_LABEL } from '../../../../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import {
  DEFAULT_PATCHWINDOW_IMAGE,
  DEFAULT_REAP_GRACE_MS,
  DEFAULT_SAFETY_NET_OPTIONS,
  reapArgs,
  reapAt,
  reapJob,
  reapJobName,
  REAPER_NAME,
} from '../../../../../../bot/adapters/cluster/kubernetes/reap-job.ts';
import { parseReapOptions } from '../../../../../../bot/commands/reap-command.ts';
import { VERSION } from '../../../../../../bot/version.ts';

const window = {
  windowId: 42,
  start: new Date('2026-03-07T21:00:00Z'),
  end: new Date('2026-03-08T01:00:00Z'),
};

interface JobShape {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    backoffLimit: number;
    activeDeadlineSeconds: number;
    ttlSecondsAfterFinished: number;
    podFailurePolicy: { rules: { action: string; onPodConditions: { type: string }[] }[] };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        restartPolicy: string;
        securityContext: Record<string, unknown>;
        containers: { name: string; image: string; command?: string[]; args: string[]; securityContext: Record<string, unknown>; resources: Record<string, Record<string, string>> }[];
      };
    };
  };
}

const job = (options = DEFAULT_SAFETY_NET_OPTIONS, namespace = 'kured'): JobShape => reapJob(window, namespace, options) as unknown as JobShape;

/** `--flag value` pairs of the container's arguments after the subcommand, as commander hands them over. */
function flags(args: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (let index = 1; index < args.length; index += 2) result[(args[index] ?? '').replace(/^--/, '')] = args[index + 1] ?? '';
  return result;
}

describe('reapAt and reapArgs', () => {
  it('acts at the window end plus the grace (2 minutes by default)', () => {
    expect(DEFAULT_REAP_GRACE_MS).toBe(120_000);
    expect(reapAt(window, DEFAULT_REAP_GRACE_MS)).toEqual(new Date('2026-03-08T01:02:00Z'));
    expect(reapArgs(window, 'kured', DEFAULT_REAP_GRACE_MS)).toEqual(['reap', '--namespace', 'kured', '--window', '42', '--at', '2026-03-08T01:02:00.000Z']);
    expect(reapArgs(window, 'kube-system', 5000)).toEqual(['reap', '--namespace', 'kube-system', '--window', '42', '--at', '2026-03-08T01:00:05.000Z']);
  });

  it('refuses a negative or fractional grace', () => {
    expect(() => reapAt(window, -1)).toThrow(RangeError);
    expect(() => reapAt(window, 1.5)).toThrow(RangeError);
  });

  it('are arguments the reap command accepts, meaning this window, this namespace and that instant', () => {
    const args = reapArgs(window, 'kured', DEFAULT_REAP_GRACE_MS);
    expect(args[0]).toBe('reap');
    expect(parseReapOptions(flags(args))).toEqual({ ok: true, request: { namespace: 'kured', window: 42, at: new Date('2026-03-08T01:02:00Z') } });
  });
});

describe('reapJob', () => {
  it('is a Job named after the window, in kured\'s namespace, labelled like kured', () => {
    const manifest = job();
    expect(manifest).toMatchObject({ metadata: { name: 'patchwindow-reap-42', namespace: 'kured' } });
    expect(reapJobName(42)).toBe('patchwindow-reap-42');
    expect(manifest.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'patchwindow',
      'app.kubernetes.io/component': 'reaper',
      'app.kubernetes.io/managed-by': 'patchwindow',
      [WINDOW_LABEL]: '42',
    });
    expect(manifest.spec.template.metadata.labels).toEqual(manifest.metadata.labels);
    // kured's own objects carry the same window label, which is what reap compares
    for (const kured of kuredManifests({ ...window, zone: 'UTC', concurrency: 1, nodeSelector: undefined }, DEFAULT_KURED_MANIFEST_OPTIONS)) {
      expect(kured.metadata.labels[WINDOW_LABEL]).toBe('42');
    }
  });

  it('runs `patchwindow reap` from the bot\'s image (its entrypoint is the CLI) as the reaper ServiceAccount', () => {
    const pod = job().spec.template.spec;
    expect(pod.serviceAccountName).toBe(REAPER_NAME);
    expect(pod.containers).toHaveLength(1);
    const [container] = pod.containers;
    expect(container?.image).toBe(DEFAULT_PATCHWINDOW_IMAGE);
    expect(DEFAULT_PATCHWINDOW_IMAGE).toBe(`ghcr.io/patchwindow/patchwindow:${VERSION}`);
    expect(container?.command).toBeUndefined();
    expect(container?.args).toEqual(reapArgs(window, 'kured', DEFAULT_REAP_GRACE_MS));
    const custom = job({ image: 'registry.example/patchwindow:9.9.9', graceMs: 30_000 }, 'reboots').spec.template.spec.containers[0];
    expect(custom?.image).toBe('registry.example/patchwindow:9.9.9');
    expect(custom?.args).toEqual(['reap', '--namespace', 'reboots', '--window', '42', '--at', '2026-03-08T01:00:30.000Z']);
  });

  it('is bounded: the window, the grace and 15 minutes for the removal; failures retried a few times; cleaned up after an hour', () => {
    const spec = job().spec;
    expect(spec.activeDeadlineSeconds).toBe(4 * 3600 + 120 + 900);
    expect(spec.backoffLimit).toBe(4);
    expect(spec.ttlSecondsAfterFinished).toBe(3600);
    expect(spec.template.spec.restartPolicy).toBe('Never');
  });

  it("survives kured draining its node: an eviction is not a failure, the next pod waits for the same instant", () => {
    expect(job().spec.podFailurePolicy).toEqual({ rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] });
  });

  it('runs non-root with a read-only root filesystem, no privileges and bounded resources', () => {
    const pod = job().spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    const container = pod.containers[0];
    expect(container?.securityContext).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container?.resources['limits']).toHaveProperty('memory');
    expect(container?.resources['requests']).toHaveProperty('cpu');
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => reapJob({ ...window, end: window.start }, 'kured')).toThrow(/not after its start/);
  });
});
