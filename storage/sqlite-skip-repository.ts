// Blackout ranges on SQLite, retired rather than deleted.
import type { NewSkip, SkipRepository, StoredSkip } from '../bot/core/ports/skip-repository.ts';
import type { Row, SqlExecutor } from './sqlite-database.ts';

export class SqliteSkipRepository implements SkipRepository {
  readonly #database: SqlExecutor;

  constructor(database: SqlExecutor) {
    this.#database = database;
  }

  async add(skip: NewSkip): Promise<StoredSkip> {
    const result = await this.#database.run(
      'INSERT INTO skips (from_date, to_date, zone, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [skip.range.from, skip.range.to, skip.range.zone, skip.reason, skip.createdBy, skip.createdAt.toISOString()],
    );
    return { ...skip, id: result.lastId };
  }

  async list(): Promise<StoredSkip[]> {
    const rows = await this.#database.all('SELECT * FROM skips WHERE removed_at IS NULL ORDER BY from_date, id');
    return rows.map(toSkip);
  }

  async remove(id: number, by: string, at: Date): Promise<boolean> {
    const result = await this.#database.run('UPDATE skips SET removed_by = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL', [
      by,
      at.toISOString(),
      id,
    ]);
    return result.changes === 1;
  }
}

function toSkip(row: Row): StoredSkip {
  return {
    id: Number(row['id']),
    range: { from: String(row['from_date']), to: String(row['to_date']), zone: String(row['zone']) },
    reason: String(row['reason']),
    createdBy: String(row['created_by']),
    createdAt: new Date(String(row['created_at'])),
  };
}
