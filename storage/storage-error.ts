// A storage failure with a message an operator can act on; the sqlite3 error stays in `cause`
// and its SQLite code (SQLITE_BUSY, SQLITE_CONSTRAINT, …) in `code`.
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const cause = options?.cause;
    this.code =
      cause instanceof StorageError
        ? cause.code
        : typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
          ? cause.code
          : undefined;
  }
}
