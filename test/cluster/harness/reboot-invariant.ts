// The promise behind the chaos tests on the cluster tier: nodes reboot only inside windows people
// approved. Reboots are what the nodes did (a NotReady interval beginning, a bootID changing, each
// with the time the watch saw it); approved windows are what the bot stored (the audit rows of a
// window that was approved - or needed no approval - from `window.opening`, when kured is deployed,
// to `window.closed`, when it is gone). A reboot outside every such interval breaks the promise.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import type { Informer } from './kube.ts';
import type { Node } from './kube-types.ts';
import { isNodeReady } from './kube-types.ts';
import { REPO_ROOT } from './tools.ts';

export interface RebootSign {
  readonly node: string;
  readonly kind: 'not-ready' | 'boot-id';
  /** Epoch ms when the watch saw it. */
  readonly at: number;
}

export interface RebootRecorder {
  /** Everything seen since the recorder started. */
  signs(): RebootSign[];
  /** Reboots: the bootID changes (one per reboot a node finished). */
  reboots(): RebootSign[];
  stop(): void;
}

/** Records NotReady beginnings and bootID changes of every node from now on. */
export function recordReboots(nodes: Informer<Node>): RebootRecorder {
  const signs: RebootSign[] = [];
  const ready = new Map<string, boolean>();
  const bootIDs = new Map<string, string>();
  const observe = (node: Node, at: number, initial: boolean): void => {
    const name = node.metadata.name;
    const isReady = isNodeReady(node);
    const bootID = node.status?.nodeInfo?.bootID;
    if (!initial && ready.get(name) !== false && !isReady) signs.push({ node: name, kind: 'not-ready', at });
    if (!initial && bootID !== undefined && bootIDs.has(name) && bootIDs.get(name) !== bootID) signs.push({ node: name, kind: 'boot-id', at });
    ready.set(name, isReady);
    if (bootID !== undefined) bootIDs.set(name, bootID);
  };
  for (const node of nodes.items()) observe(node, Date.now(), true);
  const off = nodes.onEvent((type, node) => {
    if (type !== 'DELETED') observe(node, Date.now(), false);
  });
  return {
    signs: () => [...signs],
    reboots: () => signs.filter((sign) => sign.kind === 'boot-id'),
    stop: off,
  };
}

export interface ApprovedInterval {
  readonly db: string;
  readonly windowId: number;
  readonly from: number;
  /** Infinity while the window has not closed. */
  readonly to: number;
}

interface AuditRow {
  readonly at: string;
  readonly action: string;
  readonly subject: string;
}

interface WindowRow {
  readonly id: number;
  readonly approval_required: number;
}

async function query<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    db.all(sql, (error: Error | null, rows: T[]) => {
      if (error === null) resolve(rows);
      else reject(error);
    });
  });
}

/** Reads a patchwindow database read-only (the bot may be running on it). */
export async function readDatabase<T>(file: string, sql: string): Promise<T[]> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
      if (error === null) resolve(opened);
      else reject(new Error(`cannot open ${file} read-only`, { cause: error }));
    });
  });
  try {
    db.configure('busyTimeout', 5000);
    return await query<T>(db, sql);
  } finally {
    await new Promise<void>((resolve) => {
      db.close(() => {
        resolve();
      });
    });
  }
}

/** The approved windows a database stored, as the times kured could have been there. */
export async function approvedIntervals(file: string): Promise<ApprovedInterval[]> {
  const windows = await readDatabase<WindowRow>(file, 'SELECT id, approval_required FROM windows ORDER BY id');
  const audit = await readDatabase<AuditRow>(file, "SELECT at, action, subject FROM audit_log WHERE subject LIKE 'window:%' ORDER BY id");
  const intervals: ApprovedInterval[] = [];
  for (const window of windows) {
    const rows = audit.filter((row) => row.subject === `window:${window.id}`);
    const approved = window.approval_required === 0 || rows.some((row) => row.action === 'window.approved');
    const opening = rows.find((row) => row.action === 'window.opening');
    if (!approved || opening === undefined) continue;
    const closed = rows.find((row) => row.action === 'window.closed' || row.action === 'window.failed');
    intervals.push({ db: file, windowId: window.id, from: Date.parse(opening.at), to: closed === undefined ? Infinity : Date.parse(closed.at) });
  }
  return intervals;
}

export interface InvariantResult {
  readonly reboots: number;
  readonly notReady: number;
  /** The signs (a bootID change or a NotReady beginning) outside every approved interval. */
  readonly outside: RebootSign[];
  /** `invariant: N reboots, K outside approved windows (M NotReady intervals)`; K counts both kinds of sign. */
  readonly line: string;
}

/** Every reboot sign against every approved interval; `toleranceMs` for the watch's delay in seeing a sign. */
export function checkInvariant(signs: readonly RebootSign[], intervals: readonly ApprovedInterval[], toleranceMs = 0): InvariantResult {
  const outside = signs.filter((sign) => !intervals.some((interval) => sign.at >= interval.from && sign.at <= interval.to + toleranceMs));
  const reboots = signs.filter((sign) => sign.kind === 'boot-id').length;
  const notReady = signs.filter((sign) => sign.kind === 'not-ready').length;
  return {
    reboots,
    notReady,
    outside,
    line: `invariant: ${reboots} reboots, ${outside.length} outside approved windows (${notReady} NotReady intervals)`,
  };
}

/** Writes a test's figures to test-results/chaos/<name>.json. */
export function writeChaosResult(name: string, result: Record<string, unknown>): void {
  const dir = path.join(REPO_ROOT, 'test-results', 'chaos');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
}
