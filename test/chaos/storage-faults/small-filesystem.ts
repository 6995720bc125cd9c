// A real, tiny filesystem for storage faults: a tmpfs of a few megabytes mounted on a temporary
// directory, which a test fills to the last byte (real ENOSPC, as a full volume gives SQLite),
// frees again, or remounts read-only (real EROFS, as a read-only volume; Linux refuses that while
// a file on it is open for writing).
// Mounting needs root or CAP_SYS_ADMIN (CI runs as root); `mountable` says whether this process
// may, so the tests that need it can say why they are skipped elsewhere.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class SmallFilesystem {
  readonly path: string;
  readonly #filler: string;
  #mounted = true;

  private constructor(path: string) {
    this.path = path;
    this.#filler = join(path, 'filler');
  }

  static mount(sizeKiB: number): SmallFilesystem {
    const path = mkdtempSync(join(tmpdir(), 'patchwindow-smallfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0777`, 'tmpfs', path], { stdio: 'pipe' });
    } catch (error: unknown) {
      rmdirSync(path);
      throw error;
    }
    return new SmallFilesystem(path);
  }

  /** Writes a filler file until the filesystem has not a byte left. Returns how many bytes it took. */
  fill(): number {
    const fd = openSync(this.#filler, 'a');
    let written = 0;
    try {
      for (const chunk of [1 << 16, 4096, 512, 1]) {
        const buffer = Buffer.alloc(chunk, 0x46);
        for (;;) {
          try {
            written += writeSync(fd, buffer);
          } catch (error: unknown) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw error;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return written;
  }

  /** Removes the filler: the space is back. */
  free(): void {
    rmSync(this.#filler, { force: true });
  }

  readOnly(): void {
    execFileSync('mount', ['-o', 'remount,ro', this.path], { stdio: 'pipe' });
  }

  /** Unmounts (everything on it is gone) and removes the mount point. */
  unmount(): void {
    if (!this.#mounted) return;
    execFileSync('umount', ['-l', this.path], { stdio: 'pipe' });
    this.#mounted = false;
    rmdirSync(this.path);
  }
}

/** Whether this process may mount a tmpfs (tried once, with a 64 KiB one). */
export const mountable: boolean = (() => {
  try {
    SmallFilesystem.mount(64).unmount();
    return true;
  } catch {
    return false;
  }
})();
