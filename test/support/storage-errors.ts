// Assertions for StorageError: class and exact message in one step, returning the typed error
// so the test can go on to check `code` and `cause`.
import { expect } from 'vitest';
import { StorageError } from '../../storage/storage-error.ts';

export function expectStorageError(error: unknown, message: string | RegExp): StorageError {
  expect(error).toBeInstanceOf(StorageError);
  const storageError = error as StorageError;
  expect(storageError.name).toBe('StorageError');
  if (typeof message === 'string') expect(storageError.message).toBe(message);
  else expect(storageError.message).toMatch(message);
  return storageError;
}
