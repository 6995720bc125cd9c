// Tracks SQLite connections opened by a test so afterEach can close whatever is still open
// before the temp directory holding the files is removed.
/** A database connection or an opened store: both can be closed, and closing twice is harmless for stores. */
export interface Closable {
  close(): Promise<void>;
  readonly closed?: boolean;
}

export interface OpenDatabases {
  track<T extends Closable>(database: T): T;
  closeAll(): Promise<void>;
}

export function openDatabases(): OpenDatabases {
  const open: Closable[] = [];
  return {
    track(database) {
      open.push(database);
      return database;
    },
    async closeAll() {
      for (const database of open.splice(0)) {
        if (database.closed !== true) await database.close();
      }
    },
  };
}
