import { describe, expect, it } from 'vitest';
import { NodeReporter } from '../../../agent/node-reporter.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { FakeNodeApi } from './support/fake-node-api.ts';
import { RecordingMetrics } from './support/recording-metrics.ts';
import { clearState, pendingState } from './support/states.ts';

const HEARTBEAT_MS = 30 * 60_000;

function setup(api = new FakeNodeApi(), random: () => number = () => 0.5) {
  const delays: number[] = [];
  const metrics = new RecordingMetrics();
  const log = captureLogger('debug');
  const reporter = new NodeReporter({
    api,
    nodeName: 'node-a',
    version: '0.1.0',
    heartbeatIntervalMs: HEARTBEAT_MS,
    random,
    // Retries happen at once; the test reads the schedule from `delays`.
    delay: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    metrics,
    logger: log.logger,
  });
  return { api, reporter, delays, metrics, log };
}

describe('NodeReporter', () => {
  it('reads the Node once, then writes the whole report to it', async () => {
    const { api, reporter, metrics } = setup();
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    expect(api.calls.map((call) => `${call.verb} ${call.resource}`)).toEqual(['get nodes', 'patch nodes', 'patch nodes/status']);
    expect(api.node.annotations).toEqual({
      'patchwindow.dev/reboot-required': 'true',
      'patchwindow.dev/reboot-required-since': '2026-03-10T08:00:00Z',
      'patchwindow.dev/reboot-required-packages': 'linux-image-6.1.0-18-amd64,libc6',
      'patchwindow.dev/agent-version': '0.1.0',
      'patchwindow.dev/last-scan': '2026-03-10T08:00:00Z',
    });
    expect(api.node.labels).toEqual({ 'kubernetes.io/hostname': 'node-a', 'patchwindow.dev/reboot-required': 'true' });
    expect(api.node.conditions.map((condition) => `${condition.type}=${condition.status}`)).toEqual(['Ready=True', 'RebootRequired=True']);
    expect(metrics.writes).toEqual(['nodes', 'nodes/status']);
  });

  it('writes nothing for scans that change nothing, and only the difference for one that does', async () => {
    const { api, reporter } = setup();
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    const before = api.calls.length;
    for (let minute = 5; minute <= 25; minute += 5) {
      reporter.publish(pendingState('2026-03-10T08:00:00Z', { scannedAt: new Date(`2026-03-10T08:${String(minute).padStart(2, '0')}:00Z`) }));
      await reporter.settled();
    }
    expect(api.calls.length).toBe(before);

    reporter.publish(clearState('2026-03-10T08:27:00Z'));
    await reporter.settled();
    expect(api.calls.slice(before).map((call) => `${call.verb} ${call.resource}`)).toEqual(['patch nodes', 'patch nodes/status']);
    expect(api.node.labels).toEqual({ 'kubernetes.io/hostname': 'node-a' });
    expect(api.node.annotations['patchwindow.dev/reboot-required-since']).toBeUndefined();
    expect(api.node.conditions[1]).toMatchObject({ status: 'False', lastTransitionTime: '2026-03-10T08:27:00Z' });
  });

  it('writes the heartbeat once it is due: reads the Node again and refreshes last-scan', async () => {
    const { api, reporter } = setup();
    reporter.publish(clearState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    // random 0.5: the heartbeat is due exactly one interval after the last write.
    expect(reporter.msUntilHeartbeat(new Date('2026-03-10T08:00:00Z'))).toBe(HEARTBEAT_MS);
    const before = api.calls.length;

    reporter.publish(clearState('2026-03-10T08:29:59Z'));
    await reporter.settled();
    expect(api.calls.length).toBe(before);

    reporter.publish(clearState('2026-03-10T08:30:00Z'));
    await reporter.settled();
    expect(api.calls.slice(before).map((call) => `${call.verb} ${call.resource}`)).toEqual(['get nodes', 'patch nodes']);
    expect(api.calls.at(-1)).toMatchObject({ body: { metadata: { annotations: { 'patchwindow.dev/last-scan': '2026-03-10T08:30:00Z' } } } });
    expect(reporter.msUntilHeartbeat(new Date('2026-03-10T08:30:00Z'))).toBe(HEARTBEAT_MS);
  });

  it('asked right after publishing a due heartbeat (before it is written), answers one interval past that scan, not 0', () => {
    const { reporter } = setup();
    // The agent asks at once after publish(); the write has not happened yet.
    reporter.publish(clearState('2026-03-10T08:00:00Z'));
    expect(reporter.msUntilHeartbeat(new Date('2026-03-10T08:00:00Z'))).toBe(HEARTBEAT_MS);
  });

  it('repairs on the heartbeat what someone else removed from the Node', async () => {
    const { api, reporter } = setup();
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    Reflect.deleteProperty(api.node.labels, 'patchwindow.dev/reboot-required');
    api.node.conditions.splice(1);

    reporter.publish(pendingState('2026-03-10T08:00:00Z', { scannedAt: new Date('2026-03-10T08:31:00Z') }));
    await reporter.settled();
    expect(api.node.labels['patchwindow.dev/reboot-required']).toBe('true');
    expect(api.node.conditions.map((condition) => condition.type)).toEqual(['Ready', 'RebootRequired']);
  });

  it('does not rewrite a Node that already shows the same report after a restart', async () => {
    const first = setup();
    first.reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await first.reporter.settled();

    const restarted = setup(first.api);
    const before = first.api.calls.length;
    restarted.reporter.publish(pendingState('2026-03-10T08:02:00Z'));
    await restarted.reporter.settled();
    expect(first.api.calls.slice(before).map((call) => `${call.verb} ${call.resource}`)).toEqual(['get nodes']);
    expect(first.api.node.annotations['patchwindow.dev/reboot-required-since']).toBe('2026-03-10T08:00:00Z');
  });

  it('writes the heartbeat at once after a restart when the Node has no recent last-scan', async () => {
    const api = new FakeNodeApi({ annotations: { 'patchwindow.dev/reboot-required': 'false', 'patchwindow.dev/agent-version': '0.1.0', 'patchwindow.dev/last-scan': '2026-03-10T07:00:00Z' } });
    const { reporter } = setup(api);
    reporter.publish(clearState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    expect(api.calls.find((call) => call.verb === 'patch' && call.resource === 'nodes')).toMatchObject({
      body: { metadata: { annotations: { 'patchwindow.dev/last-scan': '2026-03-10T08:00:00Z' } } },
    });
  });

  it('retries failed calls with exponential backoff and jitter, then succeeds', async () => {
    const api = new FakeNodeApi();
    api.failNext('get', 'nodes', undefined, 3);
    api.failNext('patch', 'nodes', 500, 2);
    const { reporter, delays, metrics } = setup(api, () => 0);
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(metrics.apiFailures).toEqual(['get nodes undefined', 'get nodes undefined', 'get nodes undefined', 'patch nodes 500', 'patch nodes 500']);
    expect(api.node.annotations['patchwindow.dev/reboot-required']).toBe('true');
  });

  it('starts the backoff over after a success', async () => {
    const api = new FakeNodeApi();
    const { reporter, delays } = setup(api, () => 1);
    api.failNext('get', 'nodes', 503, 2);
    reporter.publish(clearState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    api.failNext('patch', 'nodes', 503);
    reporter.publish(pendingState('2026-03-10T08:01:00Z'));
    await reporter.settled();
    expect(delays).toEqual([1000, 2000, 1000]);
  });

  it('writes the latest state, not every state published while it was retrying', async () => {
    const api = new FakeNodeApi();
    api.failNext('get', 'nodes', undefined);
    const gates: (() => void)[] = [];
    const metrics = new RecordingMetrics();
    const reporter = new NodeReporter({
      api,
      nodeName: 'node-a',
      version: '0.1.0',
      heartbeatIntervalMs: HEARTBEAT_MS,
      random: () => 0,
      delay: () => new Promise<void>((resolve) => gates.push(resolve)),
      metrics,
      logger: captureLogger().logger,
    });
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await until(() => gates.length === 1);
    reporter.publish(clearState('2026-03-10T08:01:00Z'));
    reporter.publish(pendingState('2026-03-10T08:02:00Z', { packages: ['systemd'] }));
    gates[0]?.();
    await reporter.settled();
    expect(api.writes()).toHaveLength(2);
    expect(api.node.annotations['patchwindow.dev/reboot-required-packages']).toBe('systemd');
  });

  it('logs a 403 once, naming the verb and resource the ServiceAccount lacks', async () => {
    const api = new FakeNodeApi();
    api.failNext('patch', 'nodes/status', 403, 4);
    const { reporter, log, metrics } = setup(api, () => 0);
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    const errors = log.lines().filter((line) => line['level'] === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ verb: 'patch', resource: 'nodes/status' });
    expect(errors[0]?.['msg']).toBe(
      'forbidden: the agent\'s ServiceAccount may not patch nodes/status; its ClusterRole needs verb "patch" on resource "nodes/status" (see manifests/agent/base/rbac.yaml). Retrying with backoff; logged once.',
    );
    expect(metrics.apiFailures).toHaveLength(4);
    expect(api.node.conditions.map((condition) => condition.type)).toContain('RebootRequired');
  });

  it('logs a 403 for another permission once too', async () => {
    const api = new FakeNodeApi();
    api.failNext('get', 'nodes', 403, 2);
    api.failNext('patch', 'nodes', 403, 2);
    const { reporter, log } = setup(api, () => 0);
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    const errors = log.lines().filter((line) => line['level'] === 'error').map((line) => `${String(line['verb'])} ${String(line['resource'])}`);
    expect(errors).toEqual(['get nodes', 'patch nodes']);
  });

  it('stops retrying when stopped', async () => {
    const api = new FakeNodeApi();
    api.failNext('get', 'nodes', 500, 1000);
    let stopping: Promise<void> | undefined;
    const metrics = new RecordingMetrics();
    const reporter: NodeReporter = new NodeReporter({
      api,
      nodeName: 'node-a',
      version: '0.1.0',
      heartbeatIntervalMs: HEARTBEAT_MS,
      random: () => 0,
      delay: () => {
        if (metrics.apiFailures.length === 3) stopping = reporter.stop();
        return Promise.resolve();
      },
      metrics,
      logger: captureLogger().logger,
    });
    reporter.publish(pendingState('2026-03-10T08:00:00Z'));
    await reporter.settled();
    await stopping;
    expect(metrics.apiFailures).toHaveLength(3);
    reporter.publish(clearState('2026-03-10T08:01:00Z'));
    await reporter.settled();
    expect(metrics.apiFailures).toHaveLength(3);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn++) await Promise.resolve();
  expect(condition()).toBe(true);
}
