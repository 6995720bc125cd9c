// What chat users are told when their command could not be stored: the database's trouble by
// its SQLite code, that nothing was changed; other failures are left to the generic answer.
import { describe, expect, it } from 'vitest';
import { storageFailureAnswer } from '../../../../../bot/adapters/chat/storage-failure-answer.ts';
import { StorageError } from '../../../../../storage/storage-error.ts';

function failure(code: string | undefined): StorageError {
  return new StorageError(`${code ?? 'no code'}: something (in: COMMIT)`, code === undefined ? undefined : { cause: Object.assign(new Error(code), { code }) });
}

describe('storageFailureAnswer', () => {
  it.each([
    ['SQLITE_FULL', "the database's disk is full"],
    ['SQLITE_READONLY', 'the database is read-only'],
    ['SQLITE_IOERR', "the database's disk failed (I/O error)"],
    ['SQLITE_CORRUPT', 'the database is damaged'],
    ['SQLITE_NOTADB', 'the database is damaged'],
    ['SQLITE_BUSY', 'the database is busy'],
    ['SQLITE_CANTOPEN', 'the database cannot be used'],
    [undefined, 'the database cannot be used'],
  ])('%s: %s', (code, trouble) => {
    expect(storageFailureAnswer(failure(code))).toBe(`Sorry, that could not be saved: ${trouble}. Nothing was changed; try again once an operator has fixed the bot's storage.`);
  });

  it('leaves other failures to the generic answer', () => {
    expect(storageFailureAnswer(new Error('SQLITE_FULL'))).toBeUndefined();
    expect(storageFailureAnswer('SQLITE_FULL')).toBeUndefined();
  });
});
