import { describe, expect, it } from 'vitest';
import type { DetectionState, Observation } from '../../../agent/core/detection.ts';
import { NodeAgent } from '../../../agent/node-agent.ts';
import type { StateSink } from '../../../agent/node-agent.ts';
import { DetectionError } from '../../../agent/ports/detector.ts';
import type { Detector } from '../../../agent/ports/detector.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { FakeTimers } from './support/fake-timers.ts';
import { RecordingMetrics } from './support/recording-metrics.ts';

const SCAN_MS = 5 * 60_000;
const PENDING: Observation = { pending: true, reason: 'SentinelFile', packages: ['libc6'], evidence: 'f exists' };
const CLEAR: Observation = { pending: false, reason: 'SentinelFile', packages: [], evidence: 'f is absent' };

/** A detector that answers from a script of results, one per scan, repeating the last. */
class ScriptedDetector implements Detector {
  readonly description = 'scripted';
  scans = 0;
  readonly #answers: (Observation | DetectionError)[];

  constructor(...answers: (Observation | DetectionError)[]) {
    this.#answers = answers;
  }

  scan(): Promise<Observation> {
    const answer = this.#answers[Math.min(this.scans, this.#answers.length - 1)];
    this.scans += 1;
    if (answer === undefined) throw new Error('no answer scripted');
    return answer instanceof DetectionError ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

class RecordingSink implements StateSink {
  readonly published: DetectionState[] = [];
  untilHeartbeat: number | undefined = undefined;

  publish(state: DetectionState): void {
    this.published.push(state);
  }

  msUntilHeartbeat(): number | undefined {
    return this.untilHeartbeat;
  }
}

function setup(detector: Detector, random: () => number = () => 0.5) {
  const timers = new FakeTimers('2026-03-10T08:00:00Z');
  const sink = new RecordingSink();
  const metrics = new RecordingMetrics();
  const log = captureLogger();
  const agent = new NodeAgent({ detector, reporter: sink, now: timers.now, timers, random, scanIntervalMs: SCAN_MS, metrics, logger: log.logger });
  return { agent, timers, sink, metrics, log };
}

describe('NodeAgent', () => {
  it('scans at start and hands the state to the reporter', async () => {
    const { agent, sink, metrics, log } = setup(new ScriptedDetector(PENDING));
    agent.start();
    await agent.idle();
    expect(sink.published).toEqual([
      { pending: true, reason: 'SentinelFile', packages: ['libc6'], since: new Date('2026-03-10T08:00:00Z'), evidence: 'f exists', scannedAt: new Date('2026-03-10T08:00:00Z') },
    ]);
    expect(metrics.scans).toHaveLength(1);
    expect(log.lines()).toEqual([expect.objectContaining({ level: 'info', msg: 'reboot required', packages: ['libc6'] })]);
  });

  it('rescans on a jittered period', async () => {
    const detector = new ScriptedDetector(CLEAR);
    const { agent, timers } = setup(detector, () => 0);
    agent.start();
    await agent.idle();
    expect(timers.pending()).toEqual([270_000]);
    expect(timers.fireNext()).toBe(270_000);
    await agent.idle();
    expect(detector.scans).toBe(2);
  });

  it('scans sooner when the heartbeat is due before the next period', async () => {
    const { agent, timers, sink } = setup(new ScriptedDetector(CLEAR));
    sink.untilHeartbeat = 60_000;
    agent.start();
    await agent.idle();
    expect(timers.pending()).toEqual([60_000]);
  });

  it('keeps the normal period while the heartbeat is overdue (writes failing)', async () => {
    const { agent, timers, sink } = setup(new ScriptedDetector(CLEAR));
    sink.untilHeartbeat = 0;
    agent.start();
    await agent.idle();
    expect(timers.pending()).toEqual([SCAN_MS]);
  });

  it('scans once file events have settled', async () => {
    const detector = new ScriptedDetector(CLEAR, PENDING);
    const { agent, timers, sink } = setup(detector);
    agent.start();
    await agent.idle();
    agent.changed();
    timers.advance(50);
    agent.changed();
    timers.advance(99);
    expect(detector.scans).toBe(1);
    timers.advance(1);
    await agent.idle();
    expect(detector.scans).toBe(2);
    expect(sink.published.map((state) => state.pending)).toEqual([false, true]);
  });

  it('leaves the state as it was when a scan fails, and counts and logs the failure', async () => {
    const detector = new ScriptedDetector(PENDING, new DetectionError('timeout', 'needs-restarting -r did not finish within 30000 ms and was killed'), PENDING);
    const { agent, timers, sink, metrics, log } = setup(detector);
    const failures: Error[] = [];
    agent.on('scan-failed', (error) => failures.push(error));
    agent.start();
    await agent.idle();
    timers.fireNext();
    await agent.idle();
    expect(agent.state?.pending).toBe(true);
    expect(sink.published).toHaveLength(1);
    expect(metrics.scanFailures).toEqual(['timeout']);
    expect(failures.map((error) => error.message)).toEqual(['needs-restarting -r did not finish within 30000 ms and was killed']);
    expect(log.lines().at(-1)).toMatchObject({ level: 'warn', kind: 'timeout' });

    timers.fireNext();
    await agent.idle();
    expect(sink.published).toHaveLength(2);
    expect(sink.published[1]?.since).toEqual(new Date('2026-03-10T08:00:00Z'));
  });

  it('counts an unexpected exception from the detector as an I/O failure', async () => {
    const broken: Detector = { description: 'broken', scan: () => Promise.reject(new Error('boom')) };
    const { agent, metrics } = setup(broken);
    agent.start();
    await agent.idle();
    expect(metrics.scanFailures).toEqual(['io']);
  });

  it('never runs two scans at once, and runs one more for requests made during a scan', async () => {
    let release = (): void => undefined;
    let running = 0;
    let most = 0;
    let scans = 0;
    const slow: Detector = {
      description: 'slow',
      scan: async () => {
        scans += 1;
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => (release = resolve));
        running -= 1;
        return CLEAR;
      },
    };
    const { agent } = setup(slow);
    agent.start();
    agent.scanNow();
    agent.scanNow();
    release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    release();
    await agent.idle();
    expect(scans).toBe(2);
    expect(most).toBe(1);
  });

  it('warns about a detector warning once, not on every scan', async () => {
    const detector = new ScriptedDetector({ ...PENDING, warning: 'f.pkgs: not a text file; no packages reported' });
    const { agent, timers, log } = setup(detector);
    agent.start();
    await agent.idle();
    timers.fireNext();
    await agent.idle();
    expect(log.lines().filter((line) => line['level'] === 'warn').map((line) => line['msg'])).toEqual(['f.pkgs: not a text file; no packages reported']);
  });

  it('logs the moments a reboot becomes required and is no longer required', async () => {
    const { agent, timers, log } = setup(new ScriptedDetector(CLEAR, PENDING, PENDING, CLEAR));
    agent.start();
    await agent.idle();
    for (let scan = 0; scan < 3; scan++) {
      timers.fireNext();
      await agent.idle();
    }
    expect(log.lines().map((line) => line['msg'])).toEqual(['no reboot required', 'reboot required', 'no reboot required']);
  });

  it('stops scanning when stopped', async () => {
    const detector = new ScriptedDetector(CLEAR);
    const { agent, timers } = setup(detector);
    agent.start();
    await agent.idle();
    await agent.stop();
    agent.changed();
    agent.scanNow();
    expect(timers.pending()).toEqual([]);
    expect(detector.scans).toBe(1);
  });
});
