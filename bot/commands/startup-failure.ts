// What the operator sees when the bot cannot start: one line and exit code 2 for problems they
// can fix (configuration, database file, port); a stack trace and exit code 1 for bugs.
import { ConfigError } from '../config/config-error.ts';
import { HttpListenError } from '../adapters/http/http-server.ts';
import { StorageError } from '../../storage/storage-error.ts';

export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

export function reportStartupFailure(error: unknown, stderr: { write(text: string): unknown }): number {
  if (error instanceof ConfigError) {
    stderr.write(`patchwindow: config error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof StorageError) {
    stderr.write(`patchwindow: storage error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof HttpListenError) {
    stderr.write(`patchwindow: http error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  stderr.write(`patchwindow: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILURE;
}
