// Schedules on SQLite. Removal retires a row (removed_at) so history keeps its references.
import type { ApprovalPolicy, NewSchedule, ScheduleRepository, StoredSchedule } from '../bot/core/ports/schedule-repository.ts';
import type { Row, SqlExecutor } from './sqlite-database.ts';
import { StorageError } from './storage-error.ts';

export class SqliteScheduleRepository implements ScheduleRepository {
  readonly #database: SqlExecutor;

  constructor(database: SqlExecutor) {
    this.#database = database;
  }

  async add(schedule: NewSchedule): Promise<StoredSchedule> {
    const result = await this.#database.run(
      'INSERT INTO schedules (name, spec_text, canonical, approval, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [schedule.name ?? null, schedule.specText, schedule.canonical, schedule.approval, schedule.createdBy, schedule.createdAt.toISOString()],
    );
    return { ...schedule, id: result.lastId };
  }

  async list(): Promise<StoredSchedule[]> {
    const rows = await this.#database.all('SELECT * FROM schedules WHERE removed_at IS NULL ORDER BY id');
    return rows.map(toSchedule);
  }

  async get(id: number): Promise<StoredSchedule | undefined> {
    const row = await this.#database.get('SELECT * FROM schedules WHERE id = ? AND removed_at IS NULL', [id]);
    return row === undefined ? undefined : toSchedule(row);
  }

  async findByName(name: string): Promise<StoredSchedule | undefined> {
    const row = await this.#database.get('SELECT * FROM schedules WHERE name = ? AND removed_at IS NULL', [name]);
    return row === undefined ? undefined : toSchedule(row);
  }

  async remove(id: number, by: string, at: Date): Promise<boolean> {
    const result = await this.#database.run(
      'UPDATE schedules SET removed_by = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL',
      [by, at.toISOString(), id],
    );
    return result.changes === 1;
  }
}

function toSchedule(row: Row): StoredSchedule {
  const approval = row['approval'];
  if (approval !== 'required' && approval !== 'pre-approved') {
    throw new StorageError(`schedule ${String(row['id'])} has an unknown approval policy ${String(approval)}`);
  }
  return {
    id: Number(row['id']),
    name: typeof row['name'] === 'string' ? row['name'] : undefined,
    specText: String(row['spec_text']),
    canonical: String(row['canonical']),
    approval: approval satisfies ApprovalPolicy,
    createdBy: String(row['created_by']),
    createdAt: new Date(String(row['created_at'])),
  };
}
