// Maintenance windows on SQLite: instants as ISO 8601 UTC text, booleans as 0/1, the origin
// spread over origin/schedule_id/schedule_name, and undefined as NULL.
import type { NewWindow, WindowRepository } from '../bot/core/ports/window-repository.ts';
import { FINAL_WINDOW_STATES, WINDOW_STATES } from '../bot/core/windows/maintenance-window.ts';
import type { CloseReason, MaintenanceWindow, WindowOrigin, WindowState } from '../bot/core/windows/maintenance-window.ts';
import type { Row, SqlExecutor, SqlValue } from './sqlite-database.ts';
import { iso, optionalIso, RowReader, rowLimit } from './sqlite-rows.ts';
import { StorageError } from './storage-error.ts';


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
