// The user's kured options: the kured 1.23 flags they become, the guards on each argv element,
// and the validators the settings table uses (Go durations, Go regexps, selectors, labels, URLs).
import { describe, expect, it } from 'vitest';
import {
  flagArg,
  goDurationMs,
  goRegexpProblem,
  isNodeLabel,
  isQualifiedName,
  kuredOptionArgs,
  labelSelectorProblem,
  NO_KURED_OPTIONS,
  PATCHWINDOW_OWNED_FLAGS,
  prometheusUrlProblem,
} from '../../../../../../bot/adapters/cluster/kubernetes/kured-options.ts';
import type { KuredUserOptions } from '../../../../../../bot/adapters/cluster/kubernetes/kured-options.ts';

const everything: KuredUserOptions = {
  blockingPodSelectors: ['app=batch', 'runtime=long,cost=expensive'],
  prometheusUrl: 'http://prometheus.monitoring:9090',
  alertFilterRegexp: '^(Watchdog|InfoInhibitor)$',
  alertFilterMatchOnly: true,
  alertFiringOnly: true,
  drainTimeout: '10m',
  drainDelay: '30s',
  drainGracePeriod: -1,
  drainPodSelector: 'app!=node-local-dns',
  skipWaitForDeleteTimeout: 0,
  forceReboot: true,
  rebootSentinelCommand: 'sh -c "needs-restarting -r; test $? -eq 1"',
  rebootMethod: 'signal',
  rebootCommand: undefined,
  rebootSignal: 39,
  rebootDelay: '1m30s',
  lockReleaseDelay: '5m',
  preferNoScheduleTaint: 'kured.dev/kured-node-reboot',
  preRebootNodeLabels: ['rebooting=true'],
  postRebootNodeLabels: ['rebooting=false', 'patched=yes'],
};

describe('kuredOptionArgs', () => {
  it('no options: no arguments (kured keeps its defaults)', () => {
    expect(kuredOptionArgs(NO_KURED_OPTIONS)).toEqual([]);
  });

  it('every option as kured 1.23 spells it, lists repeated, false booleans left out, zero kept', () => {
    expect(kuredOptionArgs(everything)).toEqual([
      '--blocking-pod-selector=app=batch',
      '--blocking-pod-selector=runtime=long,cost=expensive',
      '--prometheus-url=http://prometheus.monitoring:9090',
      '--alert-filter-regexp=^(Watchdog|InfoInhibitor)$',
      '--alert-filter-match-only=true',
      '--alert-firing-only=true',
      '--drain-timeout=10m',
      '--drain-delay=30s',
      '--drain-grace-period=-1',
      '--drain-pod-selector=app!=node-local-dns',
      '--skip-wait-for-delete-timeout=0',
      '--force-reboot=true',
      '--reboot-sentinel-command=sh -c "needs-restarting -r; test $? -eq 1"',
      '--reboot-method=signal',
      '--reboot-signal=39',
      '--reboot-delay=1m30s',
      '--lock-release-delay=5m',
      '--prefer-no-schedule-taint=kured.dev/kured-node-reboot',
      '--pre-reboot-node-labels=rebooting=true',
      '--post-reboot-node-labels=rebooting=false',
      '--post-reboot-node-labels=patched=yes',
    ]);
    expect(kuredOptionArgs({ ...NO_KURED_OPTIONS, alertFiringOnly: false, forceReboot: false })).toEqual([]);
  });

  it('never produces a flag patchwindow owns', () => {
    const names = kuredOptionArgs(everything).map((arg) => arg.slice(2, arg.indexOf('=')));
    expect(names.filter((name) => PATCHWINDOW_OWNED_FLAGS.includes(name))).toEqual([]);
  });

  it('a value that looks like another flag stays inside its own argument', () => {
    expect(kuredOptionArgs({ ...NO_KURED_OPTIONS, rebootCommand: '--period=1s' })).toEqual(['--reboot-command=--period=1s']);
  });
});

describe('flagArg', () => {
  it.each(['a\nb', 'a\rb', 'a\u0000b', 'a\tb', 'a\u007fb'])('refuses a control character in %j', (value) => {
    expect(() => flagArg('reboot-command', value)).toThrow(/control character/);
  });

  it('refuses the flags patchwindow owns and names that are not flags', () => {
    for (const owned of PATCHWINDOW_OWNED_FLAGS) expect(() => flagArg(owned, 'x')).toThrow(/set by patchwindow/);
    expect(() => flagArg('--period', '1s')).toThrow(/not a kured flag name/);
    expect(() => flagArg('x=y', '1')).toThrow(/not a kured flag name/);
  });
});

describe('validators', () => {
  it.each([
    ['0', 0],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['250ms', 250],
  ])('Go duration %s is %i ms', (text, ms) => {
    expect(goDurationMs(text)).toBe(ms);
  });

  it.each(['', '30', '-1m', '1d', '30 m', 'm', '1h 30m', '10M'])('%j is not a Go duration', (text) => {
    expect(goDurationMs(text)).toBeUndefined();
  });

  it.each(['^Watchdog$', '(?i)^info.*', '(?P<name>alert)', '^(A|B)+$', '(?is)x.y'])('%s is a Go regexp', (pattern) => {
    expect(goRegexpProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['(unclosed', /Unterminated group|Invalid regular expression/],
    ['foo(?=bar)', /lookahead and lookbehind/],
    ['(?<!x)y', /lookahead and lookbehind/],
    ['(a)\\1', /backreferences/],
    ['', /empty/],
  ])('%j is not a Go regexp', (pattern, problem) => {
    expect(goRegexpProblem(pattern)).toMatch(problem);
  });

  it('label selectors as Kubernetes reads them', () => {
    expect(labelSelectorProblem('app=batch,tier in (a,b),!gpu')).toBeUndefined();
    expect(labelSelectorProblem('a in (')).toMatch(/label selector/);
    expect(labelSelectorProblem('app=x\n')).toMatch(/control characters/);
  });

  it('node labels and taint keys', () => {
    expect(isNodeLabel('rebooting=true')).toBe(true);
    expect(isNodeLabel('example.com/state=')).toBe(true);
    expect(isNodeLabel('=x')).toBe(false);
    expect(isNodeLabel('a=b c')).toBe(false);
    expect(isNodeLabel('a')).toBe(false);
    expect(isQualifiedName('kured.dev/kured-node-reboot')).toBe(true);
    expect(isQualifiedName('Bad_Prefix/x')).toBe(false);
    expect(isQualifiedName('-x')).toBe(false);
  });

  it('Prometheus URLs: http(s), no spaces, no credentials', () => {
    expect(prometheusUrlProblem('http://prometheus.monitoring:9090')).toBeUndefined();
    expect(prometheusUrlProblem('https://prom.example/sub/path')).toBeUndefined();
    expect(prometheusUrlProblem('ftp://prom')).toMatch(/http or https/);
    expect(prometheusUrlProblem('http://user:secret@prom:9090')).toMatch(/credentials/);
    expect(prometheusUrlProblem('http://prom 9090')).toMatch(/spaces/);
    expect(prometheusUrlProblem('prometheus:9090/x y')).toMatch(/spaces/);
    expect(prometheusUrlProblem('not a url')).toMatch(/spaces/);
    expect(prometheusUrlProblem('//nohost')).toMatch(/not a URL/);
  });
});
