// Maintenance windows on SQLite: instants as ISO 8601 UTC text, booleans as 0/1, the origin
// spread over origin/schedule_id/schedule_name, and undefined as NULL.
import type { NewWindow, WindowRepository } from '../bot/core/ports/window-repository.ts';
import { FINAL_WINDOW_STATES, WINDOW_STATES } from '../bot/core/windows/maintenance-window.ts';
import type { CloseReason, MaintenanceWindow, WindowOrigin, WindowState } from '../bot/core/windows/maintenance-window.ts';
import type { Row, SqlExecutor, SqlValue } from './sqlite-database.ts';
import { StorageError } from './storage-error.ts';

const MAX_LIMIT = 10_000;

const COLUMNS = [
  'origin',
  'schedule_id',
  'schedule_name',
  'state',
  'start_at',
  'end_at',
  'zone',
  'concurrency',
  'node_selector',
  'reason',
  'requested_by',
  'requested_at',
  'approval_required',
  'approval_expires_at',
  'decided_by',
  'decided_at',
  'paused',
  'opened_at',
  'closed_at',
  'close_reason',
  'note',
] as const;

const INSERT = `INSERT INTO windows (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;
const UPDATE = `UPDATE windows SET ${COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`;
const LIVE = `SELECT * FROM windows WHERE state NOT IN (${FINAL_WINDOW_STATES.map(() => '?').join(', ')}) ORDER BY start_at, id`;

export class SqliteWindowRepository implements WindowRepository {
  readonly #database: SqlExecutor;

  constructor(database: SqlExecutor) {
    this.#database = database;
  }

  async create(window: NewWindow): Promise<MaintenanceWindow> {
    const result = await this.#database.run(INSERT, columnValues(window, 'new window'));
    return { ...window, id: result.lastId };
  }

  async save(window: MaintenanceWindow): Promise<void> {
    const result = await this.#database.run(UPDATE, [...columnValues(window, `window ${window.id}`), window.id]);
    if (result.changes !== 1) throw new StorageError(`window ${window.id} does not exist`);
  }

  async get(id: number): Promise<MaintenanceWindow | undefined> {
    const row = await this.#database.get('SELECT * FROM windows WHERE id = ?', [id]);
    return row === undefined ? undefined : toWindow(row);
  }

  async listLive(): Promise<MaintenanceWindow[]> {
    const rows = await this.#database.all(LIVE, [...FINAL_WINDOW_STATES]);
    return rows.map(toWindow);
  }

  async listRecent(limit: number): Promise<MaintenanceWindow[]> {
    const rows = await this.#database.all('SELECT * FROM windows ORDER BY id DESC LIMIT ?', [rowLimit(limit, 'windows')]);
    return rows.map(toWindow);
  }

  async findBySchedule(scheduleId: number, start: Date): Promise<MaintenanceWindow | undefined> {
    const row = await this.#database.get('SELECT * FROM windows WHERE schedule_id = ? AND start_at = ?', [
      scheduleId,
      iso(start, `start of the window of schedule ${scheduleId}`),
    ]);
    return row === undefined ? undefined : toWindow(row);
  }
}

/** The values for COLUMNS, in order. */
function columnValues(window: NewWindow, what: string): SqlValue[] {
  const origin = window.origin;
  return [
    origin.kind,
    origin.kind === 'schedule' ? origin.scheduleId : null,
    origin.kind === 'schedule' ? (origin.scheduleName ?? null) : null,
    window.state,
    iso(window.start, `start of ${what}`),
    iso(window.end, `end of ${what}`),
    window.zone,
    window.concurrency,
    window.nodeSelector ?? null,
    window.reason,
    window.requestedBy,
    iso(window.requestedAt, `request time of ${what}`),
    window.approvalRequired ? 1 : 0,
    optionalIso(window.approvalExpiresAt, `approval expiry of ${what}`),
    window.decidedBy ?? null,
    optionalIso(window.decidedAt, `decision time of ${what}`),
    window.paused ? 1 : 0,
    optionalIso(window.openedAt, `opening time of ${what}`),
    optionalIso(window.closedAt, `closing time of ${what}`),
    window.closeReason ?? null,
    window.note ?? null,
  ];
}

function toWindow(row: Row): MaintenanceWindow {
  const id = new RowReader(row, 'window row').integer('id');
  const fields = new RowReader(row, `window ${id}`);
  return {
    id,
    origin: toOrigin(fields),
    state: fields.oneOf('state', WINDOW_STATES) satisfies WindowState,
    start: fields.date('start_at'),
    end: fields.date('end_at'),
    zone: fields.text('zone'),
    concurrency: fields.integer('concurrency'),
    nodeSelector: fields.optionalText('node_selector'),
    reason: fields.text('reason'),
    requestedBy: fields.text('requested_by'),
    requestedAt: fields.date('requested_at'),
    approvalRequired: fields.flag('approval_required'),
    approvalExpiresAt: fields.optionalDate('approval_expires_at'),
    decidedBy: fields.optionalText('decided_by'),
    decidedAt: fields.optionalDate('decided_at'),
    paused: fields.flag('paused'),
    openedAt: fields.optionalDate('opened_at'),
    closedAt: fields.optionalDate('closed_at'),
    closeReason: fields.optionalOneOf('close_reason', CLOSE_REASONS) satisfies CloseReason | undefined,
    note: fields.optionalText('note'),
  };
}

const ORIGINS = ['on-demand', 'schedule'] as const;
const CLOSE_REASONS = ['ended', 'completed', 'closed-early'] as const satisfies readonly CloseReason[];

function toOrigin(fields: RowReader): WindowOrigin {
  const kind = fields.oneOf('origin', ORIGINS);
  if (kind === 'on-demand') return { kind };
  const scheduleId = fields.optionalInteger('schedule_id');
  if (scheduleId === undefined) throw new StorageError(`${fields.what} comes from a schedule but has no schedule_id`);
  return { kind, scheduleId, scheduleName: fields.optionalText('schedule_name') };
}

/**
 * Reads a row's columns as the types a repository needs, failing with a StorageError that names
 * the row (`what`) and column on anything else. Shared by the window, node-progress and outbox
 * repositories.
 */
export class RowReader {
  readonly #row: Row;
  readonly what: string;

  constructor(row: Row, what: string) {
    this.#row = row;
    this.what = what;
  }

  text(column: string): string {
    const value = this.#row[column];
    if (typeof value !== 'string') throw this.#invalid(column, value);
    return value;
  }

  optionalText(column: string): string | undefined {
    return this.#row[column] === null ? undefined : this.text(column);
  }

  integer(column: string): number {
    const value = this.#row[column];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw this.#invalid(column, value);
    return value;
  }

  optionalInteger(column: string): number | undefined {
    return this.#row[column] === null ? undefined : this.integer(column);
  }

  flag(column: string): boolean {
    const value = this.#row[column];
    if (value !== 0 && value !== 1) throw this.#invalid(column, value);
    return value === 1;
  }

  date(column: string): Date {
    const value = this.#row[column];
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) throw this.#invalid(column, value);
    return date;
  }

  optionalDate(column: string): Date | undefined {
    return this.#row[column] === null ? undefined : this.date(column);
  }

  oneOf<T extends string>(column: string, allowed: readonly T[]): T {
    const value = this.#row[column];
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw new StorageError(`${this.what} has an unknown ${column} ${String(value)}`);
    return match;
  }

  optionalOneOf<T extends string>(column: string, allowed: readonly T[]): T | undefined {
    return this.#row[column] === null ? undefined : this.oneOf(column, allowed);
  }

  #invalid(column: string, value: unknown): StorageError {
    return new StorageError(`${this.what} has an invalid ${column} ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  return Buffer.isBuffer(value) ? `(a blob of ${value.length} bytes)` : String(value);
}

/** `date` as ISO 8601 UTC text; an invalid date is refused, naming `what` it was. */
export function iso(date: Date, what: string): string {
  if (Number.isNaN(date.getTime())) throw new StorageError(`the ${what} is an invalid date`);
  return date.toISOString();
}

export function optionalIso(date: Date | undefined, what: string): string | null {
  return date === undefined ? null : iso(date, what);
}

/** A LIMIT from 0 to MAX_LIMIT: fractions are cut, NaN (which SQLite would not take) is refused. */
export function rowLimit(limit: number, what: string): number {
  if (Number.isNaN(limit)) throw new StorageError(`the number of ${what} to list is NaN`);
  return Math.min(Math.max(Math.trunc(limit), 0), MAX_LIMIT);
}
