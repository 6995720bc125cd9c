import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SentinelCommandDetector } from '../../../../agent/adapters/sentinel-command-detector.ts';
import { DetectionError } from '../../../../agent/ports/detector.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();
let bin: string;

function script(name: string, body: string): string {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function detector(command: string[], rebootExitCode = 1, timeoutMs = 5000): SentinelCommandDetector {
  return new SentinelCommandDetector({ command, rebootExitCode, nsenter: false, timeoutMs });
}

async function failure(scan: Promise<unknown>): Promise<DetectionError> {
  const error: unknown = await scan.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DetectionError);
  return error as DetectionError;
}

beforeAll(() => {
  bin = dirs.make('patchwindow-bin-');
});

afterAll(() => {
  dirs.removeAll();
});

describe('SentinelCommandDetector', () => {
  it('reads the reboot exit code as pending and 0 as not pending', async () => {
    const needs = script('needs', 'echo "Reboot is required to fully utilize these updates."; exit 1');
    expect(await detector([needs, '-r']).scan()).toEqual({ pending: true, reason: 'SentinelCommand', packages: [], evidence: `${needs} -r exited 1` });
    expect((await detector([script('fine', 'exit 0')]).scan()).pending).toBe(false);
    expect((await detector([script('custom', 'exit 7')], 7).scan()).pending).toBe(true);
  });

  it('fails the scan on another exit code, quoting stderr', async () => {
    const broken = script('broken', 'echo "cannot open rpmdb" >&2; exit 3');
    const error = await failure(detector([broken]).scan());
    expect(error.kind).toBe('exit-code');
    expect(error.message).toBe(`${broken} exited 3, expected 1 (reboot needed) or 0 (not needed): cannot open rpmdb`);
  });

  it('fails the scan on a timeout and on a missing program', async () => {
    expect((await failure(detector([script('hang', 'sleep 30')], 1, 200).scan())).kind).toBe('timeout');
    expect((await failure(detector([join(bin, 'missing')]).scan())).kind).toBe('not-found');
  });

  it('describes the command as it will run', () => {
    const viaNsenter = new SentinelCommandDetector({ command: ['needs-restarting', '-r'], rebootExitCode: 1, nsenter: true, timeoutMs: 1000 });
    expect(viaNsenter.description).toBe('sentinel command nsenter --target 1 --mount -- needs-restarting -r (exit 1: reboot needed)');
  });
});
