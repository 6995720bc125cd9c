// Maintenance windows and node snapshots for unit tests of the pure window core: complete
// objects with plain defaults, so each test states only the fields it is about.
import type { MaintenanceWindow } from '../../bot/core/windows/maintenance-window.ts';
import type { NodeSnapshot } from '../../bot/core/ports/cluster-port.ts';

export const REQUESTED_AT = new Date('2026-11-25T12:00:00Z');

/** Window #7, requested by console:alice, 14:00–17:00 Zurich on Wed 2026-11-25, awaiting approval. */
export function aWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 7,
    origin: { kind: 'on-demand' },
    state: 'requested',
    start: new Date('2026-11-25T13:00:00Z'),
    end: new Date('2026-11-25T16:00:00Z'),
    zone: 'Europe/Zurich',
    concurrency: 1,
    nodeSelector: undefined,
    reason: '',
    requestedBy: 'console:alice',
    requestedAt: REQUESTED_AT,
    approvalRequired: true,
    approvalExpiresAt: new Date('2026-11-25T13:00:00Z'),
    decidedBy: undefined,
    decidedAt: undefined,
    paused: false,
    openedAt: undefined,
    closedAt: undefined,
    closeReason: undefined,
    note: undefined,
    ...overrides,
  };
}

/** A Ready, schedulable node that booted as `boot-1`, with a pending reboot and no drain. */
export function aNode(name: string, overrides: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    name,
    labels: {},
    ready: true,
    unschedulable: false,
    bootId: 'boot-1',
    pendingReboot: { since: undefined, packages: [] },
    drain: undefined,
    ...overrides,
  };
}

/** Freezes an object and everything it holds, so a test notices when a "pure" function mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
