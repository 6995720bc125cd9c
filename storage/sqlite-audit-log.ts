// The audit log port on SQLite. The table refuses UPDATE and DELETE (see migration 0001).
import type { AuditEntry, AuditLog, AuditQuery, NewAuditEntry } from '../bot/core/ports/audit-log.ts';
import type { JsonObject } from '../bot/core/json.ts';
import type { Row, SqlExecutor, SqlValue } from './sqlite-database.ts';
import { StorageError } from './storage-error.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

export class SqliteAuditLog implements AuditLog {
  readonly #database: SqlExecutor;

  constructor(database: SqlExecutor) {
    this.#database = database;
  }

  async record(entry: NewAuditEntry): Promise<AuditEntry> {
    if (Number.isNaN(entry.at.getTime())) throw new StorageError(`audit entry ${entry.action} has an invalid time`);
    const details = entry.details ?? {};
    const result = await this.#database.run(
      'INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)',
      [entry.at.toISOString(), entry.actor, entry.action, entry.subject, JSON.stringify(details)],
    );
    return { id: result.lastId, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, details };
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (query.subject !== undefined) {
      conditions.push('subject = ?');
      params.push(query.subject);
    }
    if (query.action !== undefined) {
      conditions.push('action = ?');
      params.push(query.action);
    }
    const requested = query.limit === undefined || Number.isNaN(query.limit) ? DEFAULT_LIMIT : query.limit; // NaN would reach the SQL
    const limit = Math.min(Math.max(Math.trunc(requested), 1), MAX_LIMIT);
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = await this.#database.all(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT ${limit}`, params);
    return rows.map(toEntry);
  }
}

function toEntry(row: Row): AuditEntry {
  return {
    id: Number(row['id']),
    at: new Date(String(row['at'])),
    actor: String(row['actor']),
    action: String(row['action']),
    subject: String(row['subject']),
    details: JSON.parse(String(row['details'])) as JsonObject,
  };
}
