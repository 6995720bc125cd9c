// kured's log lines as kured 1.23 writes them (slog text and JSON records, the drain library's
// output wrapped as "draining: results"), as older kured wrote them (logrus, bare library lines),
// and as `kubectl drain` prints them.
import { describe, expect, it } from 'vitest';
import { parseKuredLogLine, parseLogfmt } from '../../../../../../bot/adapters/cluster/kubernetes/kured-log-line.ts';

const PDB_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

describe('parseKuredLogLine: kured 1.23 slog text records', () => {
  it('reads the start of a drain', () => {
    expect(parseKuredLogLine('time=2026-03-07T21:05:01.203Z level=INFO msg="Starting drain" node=node-1')).toEqual([{ kind: 'drain-started' }]);
  });

  it('reads an eviction attempt from the library stdout wrapped in "draining: results"', () => {
    const line = 'time=2026-03-07T21:05:01.311Z level=INFO msg="draining: results" node=node-1 stdout="evicting pod shop/web-7c9d8b7f5d-x2x9k\\n"';
    expect(parseKuredLogLine(line)).toEqual([{ kind: 'evicting', pod: { namespace: 'shop', name: 'web-7c9d8b7f5d-x2x9k' } }]);
  });

  it('reads a PodDisruptionBudget refusal from the library stderr, quotes and all', () => {
    const line =
      'time=2026-03-07T21:05:01.842Z level=INFO msg="draining: results" node=node-1 stderr="error when evicting pods/\\"web-0\\" -n \\"shop\\" (will retry after 5s): ' +
      PDB_MESSAGE +
      '\\n"';
    expect(parseKuredLogLine(line)).toEqual([
      { kind: 'eviction-refused', pod: { namespace: 'shop', name: 'web-0' }, byDisruptionBudget: true, message: PDB_MESSAGE },
    ]);
  });

  it('reads a refusal with the zero retry delay kured leaves the library with', () => {
    const line = `time=2026-03-07T21:05:01.842Z level=INFO msg="draining: results" node=node-1 stderr="error when evicting pods/\\"db-1\\" -n \\"data\\" (will retry after 0s): ${PDB_MESSAGE}\\n"`;
    expect(parseKuredLogLine(line)).toMatchObject([{ kind: 'eviction-refused', pod: { namespace: 'data', name: 'db-1' }, byDisruptionBudget: true }]);
  });

  it('reads a refusal that is not a budget (namespace being deleted; another 429)', () => {
    const terminating =
      'time=2026-03-07T21:05:02Z level=INFO msg="draining: results" node=node-1 stderr="error when evicting pod \\"job-x\\" from terminating namespace \\"ci\\" (will retry after 5s): pods \\"job-x\\" is forbidden: unable to create new content in namespace ci because it is being terminated\\n"';
    expect(parseKuredLogLine(terminating)).toMatchObject([{ kind: 'eviction-refused', pod: { namespace: 'ci', name: 'job-x' }, byDisruptionBudget: false }]);
    const throttled = 'msg="draining: results" stderr="error when evicting pods/\\"a\\" -n \\"b\\" (will retry after 5s): the server has received too many requests and has asked us to try again later\\n"';
    expect(parseKuredLogLine(throttled)).toMatchObject([{ kind: 'eviction-refused', pod: { namespace: 'b', name: 'a' }, byDisruptionBudget: false }]);
  });

  it('reads the end of the drain and the reboot', () => {
    expect(parseKuredLogLine('time=2026-03-07T21:05:09.002Z level=INFO msg="Triggering reboot for node node-1" node=node-1')).toEqual([{ kind: 'reboot-triggered' }]);
    expect(parseKuredLogLine('time=2026-03-07T21:05:09.016Z level=INFO msg="Waiting for reboot" node=node-1')).toEqual([{ kind: 'waiting-for-reboot' }]);
    expect(parseKuredLogLine('time=2026-03-07T21:07:40.110Z level=INFO msg="uncordoning node" node=node-1')).toEqual([{ kind: 'uncordoning' }]);
  });

  it('reads a failed drain (kured logs the error at debug level, then this)', () => {
    expect(parseKuredLogLine('time=2026-03-07T21:15:01Z level=INFO msg="Performing a best-effort uncordon after failed cordon and drain" node=node-1')).toEqual([
      { kind: 'drain-failed', message: 'Performing a best-effort uncordon after failed cordon and drain' },
    ]);
  });

  it('ignores what says nothing about a drain', () => {
    for (const line of [
      'time=2026-03-07T21:00:00.001Z level=INFO msg="Starting Kubernetes Reboot Daemon" version=1.23.0 node=node-1 rebootPeriod=1m0s concurrency=1 schedule="SunMonTueWedThuFriSat between 00:00 and 23:59:59 UTC" method=command',
      'time=2026-03-07T21:00:00.002Z level=INFO msg="Lock TTL set, lock will expire after: 30m0s" node=node-1',
      'time=2026-03-07T21:05:01.300Z level=INFO msg="draining: results" node=node-1 stderr="WARNING: ignoring DaemonSet-managed Pods: kured/kured-8xk2p, patchwindow/patchwindow-agent-5m2zq\\n"',
      'time=2026-03-07T21:05:00Z level=INFO msg="reboot blocked by prometheus" node=node-1',
      '',
      '   ',
      'Flag --something has been deprecated',
    ]) {
      expect(parseKuredLogLine(line), line).toEqual([]);
    }
  });

  it('reads every library line of one record', () => {
    const line = 'msg="draining: results" stdout="evicting pod a/p1\\nevicting pod a/p2\\n"';
    expect(parseKuredLogLine(line)).toEqual([
      { kind: 'evicting', pod: { namespace: 'a', name: 'p1' } },
      { kind: 'evicting', pod: { namespace: 'a', name: 'p2' } },
    ]);
  });
});

describe('parseKuredLogLine: kured 1.23 JSON records (--log-format=json)', () => {
  it('reads the same events', () => {
    expect(parseKuredLogLine('{"time":"2026-03-07T21:05:01.203114Z","level":"INFO","msg":"Starting drain","node":"node-1"}')).toEqual([{ kind: 'drain-started' }]);
    const refusal = JSON.stringify({
      time: '2026-03-07T21:05:01.842Z',
      level: 'INFO',
      msg: 'draining: results',
      node: 'node-1',
      stderr: `error when evicting pods/"web-0" -n "shop" (will retry after 5s): ${PDB_MESSAGE}\n`,
    });
    expect(parseKuredLogLine(refusal)).toEqual([{ kind: 'eviction-refused', pod: { namespace: 'shop', name: 'web-0' }, byDisruptionBudget: true, message: PDB_MESSAGE }]);
    expect(parseKuredLogLine('{"time":"2026-03-07T21:05:09Z","level":"INFO","msg":"Waiting for reboot","node":"node-1"}')).toEqual([{ kind: 'waiting-for-reboot' }]);
  });

  it('reads a broken JSON line as a bare line instead of failing', () => {
    expect(parseKuredLogLine('{"msg":"Starting drain"')).toEqual([]);
    expect(parseKuredLogLine('[1,2]')).toEqual([]);
  });
});

describe('parseKuredLogLine: older kured and kubectl drain', () => {
  it('reads logrus records and the bare library lines older kured let through', () => {
    expect(parseKuredLogLine('time="2023-05-02T10:00:00Z" level=info msg="Draining node node-1"')).toEqual([{ kind: 'drain-started' }]);
    expect(parseKuredLogLine('time="2023-05-02T10:00:09Z" level=info msg="Commanding reboot for node: node-1"')).toEqual([{ kind: 'reboot-triggered' }]);
    expect(parseKuredLogLine('time="2023-05-02T10:00:09Z" level=info msg="Running command: [/usr/bin/nsenter -m/proc/1/ns/mnt -- /bin/systemctl reboot] for node: node-1"')).toEqual([
      { kind: 'reboot-triggered' },
    ]);
    expect(parseKuredLogLine('evicting pod shop/web-0')).toEqual([{ kind: 'evicting', pod: { namespace: 'shop', name: 'web-0' } }]);
    expect(parseKuredLogLine(`error when evicting pods/"web-0" -n "shop" (will retry after 5s): ${PDB_MESSAGE}`)).toMatchObject([
      { kind: 'eviction-refused', byDisruptionBudget: true },
    ]);
  });

  it("reads kubectl drain's own lines", () => {
    expect(parseKuredLogLine('pod/web-0 evicted')).toEqual([{ kind: 'evicted', pod: { namespace: undefined, name: 'web-0' } }]);
    expect(parseKuredLogLine('msg="draining: results" stdout="pod/web-0 evicted\\n"')).toEqual([{ kind: 'evicted', pod: { namespace: undefined, name: 'web-0' } }]);
    expect(parseKuredLogLine('node/node-1 cordoned')).toEqual([]);
    expect(parseKuredLogLine('evicting pod shop/web-0 (server dry run)')).toEqual([]);
  });

  it('reads every eviction the drain gave up on, also inside an aggregated error', () => {
    const line =
      'error: unable to drain node "node-1" due to error: [error when evicting pods/"web-0" -n "shop": This pod has more than one PodDisruptionBudget, which the eviction subresource does not support., ' +
      'error when evicting pods/"db-0" -n "data": global timeout reached: 1m0s], continuing command...';
    expect(parseKuredLogLine(line)).toEqual([
      { kind: 'eviction-failed', pod: { namespace: 'shop', name: 'web-0' }, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' },
      { kind: 'eviction-failed', pod: { namespace: 'data', name: 'db-0' }, message: 'global timeout reached: 1m0s' },
    ]);
  });
});

describe('parseLogfmt', () => {
  it('unquotes Go-quoted values and keeps bare ones', () => {
    expect(parseLogfmt('time=2026-03-07T21:05:01Z level=INFO msg="a \\"b\\"\\tc\\\\d\\u00e9\\x41" node=n-1 empty="" flag')).toEqual({
      time: '2026-03-07T21:05:01Z',
      level: 'INFO',
      msg: 'a "b"\tc\\dé\x41',
      node: 'n-1',
      empty: '',
      flag: '',
    });
  });

  it('is lenient with broken quoting (an unterminated value runs to the end)', () => {
    expect(parseLogfmt('msg="unterminated value node=x')).toEqual({ msg: 'unterminated value node=x' });
    expect(parseLogfmt('msg="bad escape \\q and \\U00110000"')).toEqual({ msg: 'bad escape \\q and \\U00110000' });
  });
});
