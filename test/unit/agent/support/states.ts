// Detection states for tests.
import type { DetectionState } from '../../../../agent/core/detection.ts';

export function pendingState(at: string, overrides: Partial<DetectionState> = {}): DetectionState {
  return {
    pending: true,
    reason: 'SentinelFile',
    packages: ['linux-image-6.1.0-18-amd64', 'libc6'],
    since: new Date(at),
    evidence: '/var/run/reboot-required exists',
    scannedAt: new Date(at),
    ...overrides,
  };
}

export function clearState(at: string, overrides: Partial<DetectionState> = {}): DetectionState {
  return {
    pending: false,
    reason: 'SentinelFile',
    packages: [],
    since: undefined,
    evidence: '/var/run/reboot-required is absent',
    scannedAt: new Date(at),
    ...overrides,
  };
}
