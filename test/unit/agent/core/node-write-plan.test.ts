import { describe, expect, it } from 'vitest';
import { desiredNodeReport } from '../../../../agent/core/node-report.ts';
import { knownFromNode, planNodeWrite, UNKNOWN_NODE } from '../../../../agent/core/node-write-plan.ts';
import type { KnownNode, WritePlan } from '../../../../agent/core/node-write-plan.ts';
import { clearState, pendingState } from '../support/states.ts';

const T0 = '2026-03-10T08:00:00Z';
const T1 = '2026-03-10T08:05:00Z';

/** What is on the Node once a plan has been applied to it. */
function applied(known: KnownNode, plan: WritePlan): KnownNode {
  return { ...known, ...(plan.metadata?.after ?? {}), condition: plan.status?.after ?? known.condition };
}

describe('planNodeWrite', () => {
  it('writes everything to a Node that has nothing of the agent yet', () => {
    const plan = planNodeWrite({ desired: desiredNodeReport(pendingState(T0), '0.1.0'), known: UNKNOWN_NODE, scannedAt: new Date(T0), heartbeatDue: false });
    expect(plan.metadata?.patch).toEqual({
      metadata: {
        annotations: {
          'patchwindow.dev/reboot-required': 'true',
          'patchwindow.dev/reboot-required-since': '2026-03-10T08:00:00Z',
          'patchwindow.dev/reboot-required-packages': 'linux-image-6.1.0-18-amd64,libc6',
          'patchwindow.dev/agent-version': '0.1.0',
          'patchwindow.dev/last-scan': '2026-03-10T08:00:00Z',
        },
        labels: { 'patchwindow.dev/reboot-required': 'true' },
      },
    });
    expect(plan.status?.patch).toEqual({
      status: {
        conditions: [{
          type: 'RebootRequired',
          status: 'True',
          reason: 'SentinelFile',
          message: 'reboot required: /var/run/reboot-required exists (packages: linux-image-6.1.0-18-amd64, libc6)',
          lastHeartbeatTime: '2026-03-10T08:00:00Z',
          lastTransitionTime: '2026-03-10T08:00:00Z',
        }],
      },
    });
  });

  it('writes nothing when nothing changed and no heartbeat is due', () => {
    const first = planNodeWrite({ desired: desiredNodeReport(pendingState(T0), '0.1.0'), known: UNKNOWN_NODE, scannedAt: new Date(T0), heartbeatDue: false });
    const known = applied(UNKNOWN_NODE, first);
    const again = planNodeWrite({ desired: desiredNodeReport(pendingState(T0, { scannedAt: new Date(T1) }), '0.1.0'), known, scannedAt: new Date(T1), heartbeatDue: false });
    expect(again).toEqual({ metadata: undefined, status: undefined });
  });

  it('writes only last-scan when the heartbeat is due and nothing else changed', () => {
    const known = applied(UNKNOWN_NODE, planNodeWrite({ desired: desiredNodeReport(clearState(T0), '0.1.0'), known: UNKNOWN_NODE, scannedAt: new Date(T0), heartbeatDue: false }));
    const plan = planNodeWrite({ desired: desiredNodeReport(clearState(T1), '0.1.0'), known, scannedAt: new Date(T1), heartbeatDue: true });
    expect(plan.metadata?.patch).toEqual({ metadata: { annotations: { 'patchwindow.dev/last-scan': '2026-03-10T08:05:00Z' } } });
    expect(plan.status).toBeUndefined();
  });

  it('removes since, packages and the label with nulls once the reboot is done', () => {
    const known = applied(UNKNOWN_NODE, planNodeWrite({ desired: desiredNodeReport(pendingState(T0), '0.1.0'), known: UNKNOWN_NODE, scannedAt: new Date(T0), heartbeatDue: false }));
    const plan = planNodeWrite({ desired: desiredNodeReport(clearState(T1), '0.1.0'), known, scannedAt: new Date(T1), heartbeatDue: false });
    expect(plan.metadata?.patch).toEqual({
      metadata: {
        annotations: {
          'patchwindow.dev/reboot-required': 'false',
          'patchwindow.dev/reboot-required-since': null,
          'patchwindow.dev/reboot-required-packages': null,
          'patchwindow.dev/last-scan': '2026-03-10T08:05:00Z',
        },
        labels: { 'patchwindow.dev/reboot-required': null },
      },
    });
    expect(plan.status?.patch.status.conditions[0]).toMatchObject({ status: 'False', lastTransitionTime: '2026-03-10T08:05:00Z' });
  });

  it('updates the condition message without a new transition time when only the packages change', () => {
    const known = applied(UNKNOWN_NODE, planNodeWrite({ desired: desiredNodeReport(pendingState(T0), '0.1.0'), known: UNKNOWN_NODE, scannedAt: new Date(T0), heartbeatDue: false }));
    const plan = planNodeWrite({ desired: desiredNodeReport(pendingState(T0, { packages: ['libc6'], scannedAt: new Date(T1) }), '0.1.0'), known, scannedAt: new Date(T1), heartbeatDue: false });
    expect(plan.metadata?.patch.metadata.annotations).toEqual({ 'patchwindow.dev/reboot-required-packages': 'libc6', 'patchwindow.dev/last-scan': '2026-03-10T08:05:00Z' });
    expect(plan.metadata?.patch.metadata.labels).toBeUndefined();
    const condition = plan.status?.patch.status.conditions[0];
    expect(condition?.message).toBe('reboot required: /var/run/reboot-required exists (packages: libc6)');
    expect(condition).not.toHaveProperty('lastTransitionTime');
  });

  it('writes the new version after an agent upgrade', () => {
    const known = applied(UNKNOWN_NODE, planNodeWrite({ desired: desiredNodeReport(clearState(T0), '0.1.0'), known: UNKNOWN_NODE, scannedAt: new Date(T0), heartbeatDue: false }));
    const plan = planNodeWrite({ desired: desiredNodeReport(clearState(T1), '0.2.0'), known, scannedAt: new Date(T1), heartbeatDue: false });
    expect(plan.metadata?.patch.metadata.annotations).toEqual({ 'patchwindow.dev/agent-version': '0.2.0', 'patchwindow.dev/last-scan': '2026-03-10T08:05:00Z' });
  });

  it('keeps an earlier "since" already on the Node while the reboot stays pending (agent restarted)', () => {
    const known = knownFromNode({
      metadata: { annotations: { 'patchwindow.dev/reboot-required': 'true', 'patchwindow.dev/reboot-required-since': '2026-03-09T22:00:00Z' } },
    });
    const plan = planNodeWrite({ desired: desiredNodeReport(pendingState(T1, { packages: [] }), '0.1.0'), known, scannedAt: new Date(T1), heartbeatDue: false });
    expect(plan.metadata?.patch.metadata.annotations['patchwindow.dev/reboot-required-since']).toBeUndefined();
    expect(plan.metadata?.after.annotations['patchwindow.dev/reboot-required-since']).toBe('2026-03-09T22:00:00Z');
    expect(plan.status?.patch.status.conditions[0].lastTransitionTime).toBe('2026-03-09T22:00:00Z');
  });

  it('does not take a "since" from a Node that was not pending', () => {
    const known = knownFromNode({
      metadata: { annotations: { 'patchwindow.dev/reboot-required': 'false', 'patchwindow.dev/reboot-required-since': '2026-03-09T22:00:00Z' } },
    });
    const plan = planNodeWrite({ desired: desiredNodeReport(pendingState(T1), '0.1.0'), known, scannedAt: new Date(T1), heartbeatDue: false });
    expect(plan.metadata?.patch.metadata.annotations['patchwindow.dev/reboot-required-since']).toBe('2026-03-10T08:05:00Z');
  });
});

describe('knownFromNode', () => {
  it('takes only what the agent owns from a Node', () => {
    expect(
      knownFromNode({
        metadata: {
          annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'patchwindow.dev/reboot-required': 'true', 'patchwindow.dev/last-scan': '2026-03-10T08:00:00Z' },
          labels: { 'kubernetes.io/hostname': 'node-a', 'patchwindow.dev/reboot-required': 'true' },
        },
        status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'RebootRequired', status: 'True', reason: 'SentinelFile', message: 'm' }] },
      }),
    ).toEqual({
      annotations: { 'patchwindow.dev/reboot-required': 'true', 'patchwindow.dev/last-scan': '2026-03-10T08:00:00Z' },
      label: 'true',
      condition: { status: 'True', reason: 'SentinelFile', message: 'm' },
    });
    expect(knownFromNode({})).toEqual(UNKNOWN_NODE);
  });
});
