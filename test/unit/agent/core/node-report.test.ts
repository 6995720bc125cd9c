import { describe, expect, it } from 'vitest';
import { rfc3339 } from '../../../../agent/core/node-contract.ts';
import { desiredNodeReport } from '../../../../agent/core/node-report.ts';
import { clearState, pendingState } from '../support/states.ts';

describe('desiredNodeReport', () => {
  it('reports a pending reboot with since, packages, label and a True condition', () => {
    expect(desiredNodeReport(pendingState('2026-03-10T08:00:00.250Z'), '0.1.0')).toEqual({
      annotations: {
        'patchwindow.dev/reboot-required': 'true',
        'patchwindow.dev/reboot-required-since': '2026-03-10T08:00:00Z',
        'patchwindow.dev/reboot-required-packages': 'linux-image-6.1.0-18-amd64,libc6',
        'patchwindow.dev/agent-version': '0.1.0',
      },
      label: 'true',
      condition: {
        status: 'True',
        reason: 'SentinelFile',
        message: 'reboot required: /var/run/reboot-required exists (packages: linux-image-6.1.0-18-amd64, libc6)',
      },
    });
  });

  it('reports no pending reboot without since, packages or label and with a False condition', () => {
    expect(desiredNodeReport(clearState('2026-03-10T08:00:00Z'), '0.1.0')).toEqual({
      annotations: { 'patchwindow.dev/reboot-required': 'false', 'patchwindow.dev/agent-version': '0.1.0' },
      label: undefined,
      condition: { status: 'False', reason: 'SentinelFile', message: 'no reboot required: /var/run/reboot-required is absent' },
    });
  });

  it('leaves the packages annotation out when the packages are unknown', () => {
    const report = desiredNodeReport(pendingState('2026-03-10T08:00:00Z', { packages: [], reason: 'SentinelCommand', evidence: 'needs-restarting -r exited 1' }), '0.1.0');
    expect(report.annotations['patchwindow.dev/reboot-required-packages']).toBeUndefined();
    expect(report.condition).toEqual({ status: 'True', reason: 'SentinelCommand', message: 'reboot required: needs-restarting -r exited 1' });
  });

  it('truncates a long package list to about 1000 characters, and the condition message too', () => {
    const packages = Array.from({ length: 300 }, (_, i) => `linux-modules-extra-6.1.0-${i}-amd64`);
    const report = desiredNodeReport(pendingState('2026-03-10T08:00:00Z', { packages }), '0.1.0');
    const annotation = report.annotations['patchwindow.dev/reboot-required-packages'] ?? '';
    expect(annotation.length).toBeLessThanOrEqual(1000);
    expect(annotation.length).toBeGreaterThan(950);
    expect(annotation).toMatch(/,\+\d+ more$/);
    expect(report.condition?.message.length).toBe(1000);
    expect(report.condition?.message.endsWith('…')).toBe(true);
  });
});

describe('rfc3339', () => {
  it('writes UTC with whole seconds, as Kubernetes does', () => {
    expect(rfc3339(new Date('2026-03-10T08:00:00.999Z'))).toBe('2026-03-10T08:00:00Z');
  });
});
