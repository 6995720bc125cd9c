// The core's repositories on one SQLite connection, and transactions that span them.
import type { Repositories, Transactions } from '../bot/core/ports/repositories.ts';
import { SqliteAuditLog } from './sqlite-audit-log.ts';
import type { SqlExecutor, SqliteDatabase } from './sqlite-database.ts';
import { SqliteScheduleRepository } from './sqlite-schedule-repository.ts';
import { SqliteSkipRepository } from './sqlite-skip-repository.ts';

export function repositoriesOn(executor: SqlExecutor): Repositories {
  return {
    audit: new SqliteAuditLog(executor),
    schedules: new SqliteScheduleRepository(executor),
    skips: new SqliteSkipRepository(executor),
  };
}

export class SqliteTransactions implements Transactions {
  readonly #database: SqliteDatabase;

  constructor(database: SqliteDatabase) {
    this.#database = database;
  }

  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.#database.transaction((tx) => work(repositoriesOn(tx)));
  }
}
