// A small promise API over one sqlite3 connection. patchwindow has one writer, so a single
// connection with a queue is enough; the queue also keeps a transaction's statements from
// interleaving with statements of other callers on the same connection.
import sqlite3 from 'sqlite3';
import { StorageError } from './storage-error.ts';

export type SqlValue = string | number | bigint | null | Buffer;
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;
export type Row = Readonly<Record<string, unknown>>;

export interface RunResult {
  readonly lastId: number;
  readonly changes: number;
}

/** What repositories need: statements, inside or outside a transaction. */
export interface SqlExecutor {
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get(sql: string, params?: SqlParams): Promise<Row | undefined>;
  all(sql: string, params?: SqlParams): Promise<Row[]>;
  exec(sql: string): Promise<void>;
}

export class SqliteDatabase implements SqlExecutor {
  readonly path: string;
  readonly #connection: sqlite3.Database;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(path: string, connection: sqlite3.Database) {
    this.path = path;
    this.#connection = connection;
  }

  static connect(path: string, options: { readOnly?: boolean } = {}): Promise<SqliteDatabase> {
    const mode = options.readOnly === true ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
    return new Promise((resolve, reject) => {
      const connection = new sqlite3.Database(path, mode, (error) => {
        if (error === null) resolve(new SqliteDatabase(path, connection));
        else reject(new StorageError(`cannot open database ${path}: ${error.message}`, { cause: error }));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return this.#enqueue(() => this.#run(sql, params));
  }

  get(sql: string, params: SqlParams = []): Promise<Row | undefined> {
    return this.#enqueue(() => this.#get(sql, params));
  }

  all(sql: string, params: SqlParams = []): Promise<Row[]> {
    return this.#enqueue(() => this.#all(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.#enqueue(() => this.#exec(sql));
  }

  /**
   * Runs `work` inside BEGIN … COMMIT, rolling back when it throws. Other callers wait until
   * it ends. `work` must use the executor it is given, not this database (that would deadlock).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, mode: 'DEFERRED' | 'IMMEDIATE' | 'EXCLUSIVE' = 'IMMEDIATE'): Promise<T> {
    const tx: SqlExecutor = {
      run: (sql, params = []) => this.#run(sql, params),
      get: (sql, params = []) => this.#get(sql, params),
      all: (sql, params = []) => this.#all(sql, params),
      exec: (sql) => this.#exec(sql),
    };
    return this.#enqueue(async () => {
      await this.#exec(`BEGIN ${mode}`);
      try {
        const result = await work(tx);
        await this.#exec('COMMIT');
        return result;
      } catch (error: unknown) {
        await this.#exec('ROLLBACK').catch(() => undefined); // the original error is what matters
        throw error;
      }
    });
  }

  /** Waits for queued work, then closes; later calls fail with a clear error. */
  close(): Promise<void> {
    return this.#enqueue(
      () =>
        new Promise<void>((resolve, reject) => {
          this.#closed = true;
          this.#connection.close((error) => {
            if (error === null) resolve();
            else reject(new StorageError(`closing database ${this.path} failed: ${error.message}`, { cause: error }));
          });
        }),
    );
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(() => {
      if (this.#closed) throw new StorageError(`database ${this.path} is closed`);
      return work();
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #run(sql: string, params: SqlParams): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.#connection.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error === null) resolve({ lastId: this.lastID, changes: this.changes });
        else reject(statementError(sql, error));
      });
    });
  }

  #get(sql: string, params: SqlParams): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      this.#connection.get<Row | undefined>(sql, params, (error, row) => {
        if (error === null) resolve(row);
        else reject(statementError(sql, error));
      });
    });
  }

  #all(sql: string, params: SqlParams): Promise<Row[]> {
    return new Promise((resolve, reject) => {
      this.#connection.all<Row>(sql, params, (error, rows) => {
        if (error === null) resolve(rows);
        else reject(statementError(sql, error));
      });
    });
  }

  #exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#connection.exec(sql, (error) => {
        if (error === null) resolve();
        else reject(statementError(sql, error));
      });
    });
  }
}

function statementError(sql: string, error: Error): StorageError {
  const statement = sql.replace(/\s+/g, ' ').trim();
  const shown = statement.length > 80 ? `${statement.slice(0, 77)}...` : statement;
  return new StorageError(`${error.message} (in: ${shown})`, { cause: error });
}
