// Temporary directories for integration tests: each test makes what it needs and afterEach
// removes them all, so no test sees another test's files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDirs {
  /** Creates a fresh, empty directory under the OS temp directory. */
  make(prefix?: string): string;
  /** Removes every directory made so far. */
  removeAll(): void;
}

export function tempDirs(): TempDirs {
  const made: string[] = [];
  return {
    make(prefix = 'patchwindow-test-') {
      const directory = mkdtempSync(join(tmpdir(), prefix));
      made.push(directory);
      return directory;
    },
    removeAll() {
      for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
    },
  };
}
