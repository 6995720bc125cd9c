// `patchwindow manifests kured`: prints exactly what the adapter applies, from the configured
// namespace and image; bad input gets one line saying what was expected.
import { describe, expect, it } from 'vitest';
import { kuredManifests, manifestsToYaml } from '../../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { renderKuredManifests, runKuredManifests } from '../../../../bot/commands/manifests-command.ts';
import { reapJob } from '../../../../bot/adapters/cluster/kubernetes/reap-job.ts';
import { reaperAccessManifests } from '../../../../bot/adapters/cluster/kubernetes/reaper-access.ts';

const context = { defaultZone: 'UTC', defaultConcurrency: 1, namespace: 'kured', image: 'ghcr.io/kubereboot/kured:1.23.0' };

function capture(): { text: string; write(text: string): void } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

describe('renderKuredManifests', () => {
  it('is the YAML of the adapter\'s manifests for that window', () => {
    const outcome = renderKuredManifests(
      { start: '2026-03-07T22:00:00+01:00', end: '2026-03-08T02:00:00+01:00', zone: 'Europe/Zurich', concurrency: '2', window: '12' },
      context,
    );
    const expected = manifestsToYaml(
      kuredManifests({
        windowId: 12,
        start: new Date('2026-03-07T21:00:00Z'),
        end: new Date('2026-03-08T01:00:00Z'),
        zone: 'Europe/Zurich',
        concurrency: 2,
        nodeSelector: undefined,
      }),
    );
    expect(outcome).toEqual({ ok: true, stdout: expected });
    expect(expected).toContain('--start-time=22:00');
    expect(expected).toContain('--reboot-days=sa,su');
  });

  it('defaults: the configured zone and concurrency', () => {
    const outcome = renderKuredManifests({ start: '2026-03-07T22:00:00Z', end: '2026-03-07T23:00:00Z' }, { ...context, defaultZone: 'Asia/Tokyo', defaultConcurrency: 3 });
    expect(outcome.ok && outcome.stdout).toContain('--time-zone=Asia/Tokyo');
    expect(outcome.ok && outcome.stdout).toContain('--concurrency=3');
    expect(outcome.ok && outcome.stdout).toContain('--start-time=07:00');
  });

  it.each([
    [{ end: '2026-03-07T23:00:00Z' }, /--start is required/],
    [{ start: '2026-03-07', end: '2026-03-07T23:00:00Z' }, /--start "2026-03-07" is not an ISO 8601 instant with an offset/],
    [{ start: '2026-03-07T23:00:00Z', end: '2026-03-07T22:00:00Z' }, /is not after --start/],
    [{ start: '2026-03-07T22:00:00Z', end: '2026-03-07T23:00:00Z', zone: 'Mars/Base' }, /--zone "Mars\/Base" is not an IANA time zone/],
    [{ start: '2026-03-07T22:00:00Z', end: '2026-03-07T23:00:00Z', concurrency: '0' }, /--concurrency "0"/],
    [{ start: '2026-03-07T22:00:00Z', end: '2026-03-07T23:00:00Z', nodes: 'a in (' }, /label selector/],
  ])('refuses %j', (options, message) => {
    const outcome = renderKuredManifests(options, context);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.error).toMatch(message);
  });
});

describe('runKuredManifests', () => {
  it('takes kured\'s namespace and image from the configuration', () => {
    const stdout = capture();
    const stderr = capture();
    const code = runKuredManifests(
      { start: '2026-03-07T22:00:00Z', end: '2026-03-07T23:00:00Z' },
      { configPath: undefined, env: { PATCHWINDOW_KURED_NAMESPACE: 'kube-system', PATCHWINDOW_KURED_IMAGE: 'registry.example/kured:1.23.0' }, cwd: '/nonexistent' },
      { stdout, stderr },
    );
    expect(code).toBe(0);
    expect(stderr.text).toBe('');
    expect(stdout.text).not.toContain('kind: Namespace');
    expect(stdout.text).toContain('namespace: kube-system');
    expect(stdout.text).toContain('image: registry.example/kured:1.23.0');
  });

  it("prints the configured lock TTL and the user's kured options", () => {
    const stdout = capture();
    const stderr = capture();
    const env = { PATCHWINDOW_KURED_LOCK_TTL: '1h', PATCHWINDOW_KURED_DRAIN_TIMEOUT: '10m', PATCHWINDOW_KURED_BLOCKING_POD_SELECTORS: '["app=batch"]' };
    expect(runKuredManifests({ start: '2026-03-07T22:00:00Z', end: '2026-03-07T23:00:00Z' }, { configPath: undefined, env, cwd: '/nonexistent' }, { stdout, stderr })).toBe(0);
    expect(stdout.text).toContain('- --lock-ttl=1h\n');
    expect(stdout.text).toContain('- --drain-timeout=10m\n');
    expect(stdout.text).toContain('- --blocking-pod-selector=app=batch\n');
  });

  it('exits 2 with the error on stderr', () => {
    const stdout = capture();
    const stderr = capture();
    expect(runKuredManifests({ start: 'soon', end: '2026-03-07T23:00:00Z' }, { configPath: undefined, env: {}, cwd: '/nonexistent' }, { stdout, stderr })).toBe(2);
    expect(stdout.text).toBe('');
    expect(stderr.text).toMatch(/^patchwindow: --start "soon"/);
  });
});

describe('the safety net in `manifests kured`', () => {
  const window = { start: '2026-03-07T22:00:00Z', end: '2026-03-07T23:00:00Z', window: '7' };

  it('follows the kured resources: the reaper\'s ServiceAccount and RBAC, then the window\'s Job, exactly as the adapter applies them', () => {
    const safetyNet = { image: 'registry.example/patchwindow:1.0.0', graceMs: 120_000 };
    const withNet = renderKuredManifests(window, { ...context, safetyNet });
    const without = renderKuredManifests(window, context);
    if (!withNet.ok || !without.ok) throw new Error('render failed');
    const spec = { windowId: 7, start: new Date('2026-03-07T22:00:00Z'), end: new Date('2026-03-07T23:00:00Z') };
    expect(withNet.stdout).toBe(without.stdout + manifestsToYaml([...reaperAccessManifests('kured'), reapJob(spec, 'kured', safetyNet)]));
  });

  it('is printed by default with PATCHWINDOW_IMAGE and the grace, and not with PATCHWINDOW_SAFETY_NET=false', () => {
    const on = capture();
    expect(
      runKuredManifests(window, { configPath: undefined, env: { PATCHWINDOW_IMAGE: 'registry.example/patchwindow:2.0.0', PATCHWINDOW_SAFETY_NET_GRACE: '5m' }, cwd: '/nonexistent' }, { stdout: on, stderr: capture() }),
    ).toBe(0);
    expect(on.text).toContain('kind: Job');
    expect(on.text).toContain('image: registry.example/patchwindow:2.0.0');
    expect(on.text).toContain('- 2026-03-07T23:05:00.000Z');
    const off = capture();
    expect(runKuredManifests(window, { configPath: undefined, env: { PATCHWINDOW_SAFETY_NET: 'false' }, cwd: '/nonexistent' }, { stdout: off, stderr: capture() })).toBe(0);
    expect(off.text).not.toContain('kind: Job');
    expect(off.text).not.toContain('patchwindow-reaper');
  });
});
