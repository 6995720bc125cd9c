// What the bot has written, seen through its own SQLite connection: total_changes() counts every
// row inserted, updated or deleted on it since it opened, so "nothing was written" is an exact
// check; the audit log says what the allowed writes were.
import type { SqlExecutor } from '../../../storage/sqlite-database.ts';

export interface StoredState {
  /** Rows changed on this connection so far. */
  readonly changes: number;
  /** Highest audit entry id so far. */
  readonly lastAudit: number;
}

export async function storedState(database: SqlExecutor): Promise<StoredState> {
  const row = await database.get('SELECT total_changes() AS changes, (SELECT COALESCE(MAX(id), 0) FROM audit_log) AS lastAudit');
  return { changes: Number(row?.['changes']), lastAudit: Number(row?.['lastAudit']) };
}

/** The actions of the audit entries written after `since`. */
export async function auditedSince(database: SqlExecutor, since: StoredState): Promise<string[]> {
  const rows = await database.all('SELECT action FROM audit_log WHERE id > ? ORDER BY id', [since.lastAudit]);
  return rows.map((row) => String(row['action']));
}

/** Audit actions that record a refusal (window.decision-refused, action.refused, …): the only writes a refused request may cause. */
export function isRefusal(action: string): boolean {
  return /[.-]refused$/.test(action);
}
