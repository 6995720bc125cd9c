// File mode: a reboot is pending while the sentinel file exists (Debian/Ubuntu's
// /var/run/reboot-required); the packages come from `<file>.pkgs` next to it.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Observation } from '../core/detection.ts';
import { MAX_PACKAGE_FILE_BYTES, parsePackageList } from '../core/package-list.ts';
import type { PackageList } from '../core/package-list.ts';
import { DetectionError } from '../ports/detector.ts';
import type { Detector } from '../ports/detector.ts';

export class SentinelFileDetector implements Detector {
  readonly description: string;
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
    this.description = `sentinel file ${path}`;
  }

  get packagesPath(): string {
    return `${this.#path}.pkgs`;
  }

  async scan(): Promise<Observation> {
    let since: Date;
    try {
      since = (await stat(this.#path)).mtime;
    } catch (error: unknown) {
      if (isAbsence(error)) return { pending: false, reason: 'SentinelFile', packages: [], evidence: `${this.#path} is absent` };
      throw new DetectionError('io', `cannot check ${this.#path}: ${(error as Error).message}`, { cause: error });
    }
    const list = await readPackageList(this.packagesPath);
    return {
      pending: true,
      reason: 'SentinelFile',
      packages: list.packages,
      pendingSince: since,
      evidence: `${this.#path} exists`,
      warning: list.problem === undefined ? undefined : `${this.packagesPath}: ${PROBLEM_TEXT[list.problem]}`,
    };
  }
}

type ListProblem = NonNullable<PackageList['problem']> | 'not-a-file' | 'unreadable';

const PROBLEM_TEXT: Record<ListProblem, string> = {
  binary: 'not a text file; no packages reported',
  'too-large': `larger than ${MAX_PACKAGE_FILE_BYTES / 1024} KiB; only the packages in its start are reported`,
  'unreadable-lines': 'some lines are not package names and were left out',
  'not-a-file': 'not a regular file; no packages reported',
  unreadable: 'cannot be read; no packages reported',
};

interface ReadList {
  readonly packages: readonly string[];
  readonly problem: ListProblem | undefined;
}

/** Missing or empty: no packages, no problem. Reads at most MAX_PACKAGE_FILE_BYTES + 1 bytes. */
async function readPackageList(path: string): Promise<ReadList> {
  let handle: FileHandle;
  try {
    // Opened non-blocking so a FIFO put in its place cannot stall the scan.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error: unknown) {
    return isAbsence(error) ? { packages: [], problem: undefined } : { packages: [], problem: 'unreadable' };
  }
  try {
    if (!(await handle.stat()).isFile()) return { packages: [], problem: 'not-a-file' };
    const buffer = Buffer.alloc(MAX_PACKAGE_FILE_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const complete = filled <= MAX_PACKAGE_FILE_BYTES;
    return parsePackageList(buffer.subarray(0, Math.min(filled, MAX_PACKAGE_FILE_BYTES)), complete);
  } catch {
    return { packages: [], problem: 'unreadable' };
  } finally {
    await handle.close();
  }
}

function isAbsence(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
