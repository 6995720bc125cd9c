// Per-node progress inside windows on SQLite: one row per (window, node), replaced on every save.
import type { NodeProgressRepository } from '../bot/core/ports/window-repository.ts';
import { NODE_STATES } from '../bot/core/windows/node-progress.ts';
import type { NodeProgress, NodeState } from '../bot/core/windows/node-progress.ts';
import type { Row, SqlExecutor } from './sqlite-database.ts';
import { optionalIso, RowReader, rowLimit } from './sqlite-rows.ts';
import { StorageError } from './storage-error.ts';

const UPSERT = `INSERT INTO window_nodes (window_id, node, state, boot_id_before, pods_left, blocked_by, started_at, reboot_at, done_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (window_id, node) DO UPDATE SET
    state = excluded.state,
    boot_id_before = excluded.boot_id_before,
    pods_left = excluded.pods_left,
    blocked_by = excluded.blocked_by,
    started_at = excluded.started_at,
    reboot_at = excluded.reboot_at,
    done_at = excluded.done_at`;

// Ties on done_at are broken the same way every time, so a limit cuts at a stable place.
const RECENT_DURATIONS = `SELECT window_id, node, started_at, done_at FROM window_nodes
  WHERE done_at IS NOT NULL AND started_at IS NOT NULL
  ORDER BY done_at DESC, window_id DESC, node
  LIMIT ?`;

export class SqliteNodeProgressRepository implements NodeProgressRepository {
  readonly #database: SqlExecutor;

  constructor(database: SqlExecutor) {
    this.#database = database;
  }

  async list(windowId: number): Promise<NodeProgress[]> {
    const rows = await this.#database.all('SELECT * FROM window_nodes WHERE window_id = ? ORDER BY node', [windowId]);
    return rows.map(toProgress);
  }

  async save(windowId: number, progress: NodeProgress): Promise<void> {
    const what = `node ${progress.node} in window ${windowId}`;
    // The table has no CHECK on the state: refuse here what toProgress could not read back.
    if (!NODE_STATES.some((state) => state === progress.state)) throw new StorageError(`${what} has an unknown state ${progress.state}`);
    await this.#database.run(UPSERT, [
      windowId,
      progress.node,
      progress.state,
      progress.bootIdBefore,
      progress.podsLeft ?? null,
      progress.blockedBy ?? null,
      optionalIso(progress.startedAt, `cordon time of ${what}`),
      optionalIso(progress.rebootAt, `reboot time of ${what}`),
      optionalIso(progress.doneAt, `done time of ${what}`),
    ]);
  }

  async recentDurations(limit: number): Promise<number[]> {
    const rows = await this.#database.all(RECENT_DURATIONS, [rowLimit(limit, 'durations')]);
    return rows.map((row) => {
      const fields = new RowReader(row, nodeLabel(row));
      return fields.date('done_at').getTime() - fields.date('started_at').getTime();
    });
  }
}

function toProgress(row: Row): NodeProgress {
  const fields = new RowReader(row, nodeLabel(row));
  return {
    node: fields.text('node'),
    state: fields.oneOf('state', NODE_STATES) satisfies NodeState,
    bootIdBefore: fields.text('boot_id_before'),
    podsLeft: fields.optionalInteger('pods_left'),
    blockedBy: fields.optionalText('blocked_by'),
    startedAt: fields.optionalDate('started_at'),
    rebootAt: fields.optionalDate('reboot_at'),
    doneAt: fields.optionalDate('done_at'),
  };
}

function nodeLabel(row: Row): string {
  return `node ${String(row['node'])} in window ${String(row['window_id'])}`;
}
