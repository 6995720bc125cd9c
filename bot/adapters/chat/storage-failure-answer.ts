// What a chat user is told when their command or click could not be stored: which trouble the
// database has and that nothing was changed (every command is checked first and then stored in
// one transaction), so they can tell an operator and try again later instead of guessing.
import { StorageError } from '../../../storage/storage-error.ts';

const TROUBLES: readonly (readonly [RegExp, string])[] = [
  [/^SQLITE_FULL/, "the database's disk is full"],
  [/^SQLITE_READONLY/, 'the database is read-only'],
  [/^SQLITE_IOERR/, "the database's disk failed (I/O error)"],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'the database is damaged'],
  [/^SQLITE_(BUSY|LOCKED)/, 'the database is busy'],
];

/** The answer for a storage failure, or undefined when `error` is something else. */
export function storageFailureAnswer(error: unknown): string | undefined {
  if (!(error instanceof StorageError)) return undefined;
  const code = error.code ?? '';
  const trouble = TROUBLES.find(([pattern]) => pattern.test(code))?.[1] ?? 'the database cannot be used';
  return `Sorry, that could not be saved: ${trouble}. Nothing was changed; try again once an operator has fixed the bot's storage.`;
}
