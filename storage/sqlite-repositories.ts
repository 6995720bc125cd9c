// The core's repositories on one SQLite connection, and transactions that span them.
import type { Repositories, Transactions } from '../bot/core/ports/repositories.ts';
import { SqliteAuditLog } from './sqlite-audit-log.ts';
import type { SqlExecutor, SqliteDatabase } from './sqlite-database.ts';
import { SqliteNodeProgressRepository } from './sqlite-node-progress-repository.ts';
import { SqliteOutboxRepository } from './sqlite-outbox-repository.ts';
import { SqliteScheduleRepository } from './sqlite-schedule-repository.ts';
import { SqliteSkipRepository } from './sqlite-skip-repository.ts';
import { SqliteWindowRepository } from './sqlite-window-repository.ts';

export function repositoriesOn(executor: SqlExecutor): Repositories {
  return {
    audit: new SqliteAuditLog(executor),
    schedules: new SqliteScheduleRepository(executor),
    skips: new SqliteSkipRepository(executor),
    windows: new SqliteWindowRepository(executor),
    nodeProgress: new SqliteNodeProgressRepository(executor),
    outbox: new SqliteOutboxRepository(executor),
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
