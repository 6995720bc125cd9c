// The benchmark result file: {"machine", "date", "figures": {name: {value, unit, target, runs}}},
// printed as a table and written to bench-results.json (git-ignored). A figure that could not be
// measured keeps its name with value null and says why (`missing`), so a missing tool or a failed
// phase is visible instead of silently absent.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Figure {
  /** null: not measured this time; `missing` says why. */
  readonly value: number | null;
  readonly unit: string;
  /** The goal; `value` should not exceed it. */
  readonly target?: number;
  /** How many measurements the value summarises (trials, requests, samples). */
  readonly runs?: number;
  readonly note?: string;
  readonly missing?: string;
}

export type Figures = Record<string, Figure>;

/** A figure that could not be measured, with the reason. */
export function missingFigure(unit: string, reason: string, target?: number): Figure {
  return { value: null, unit, missing: reason, ...(target === undefined ? {} : { target }) };
}

/** Each name as a missing figure with the same reason (a phase that could not run). */
export function missingFigures(names: Readonly<Record<string, { readonly unit: string; readonly target?: number }>>, reason: string): Figures {
  return Object.fromEntries(Object.entries(names).map(([name, { unit, target }]) => [name, missingFigure(unit, reason, target)]));
}

/** `met`, `MISSED`, `missing`, or '' for a figure without a target. */
export function verdict(figure: Figure): string {
  if (figure.value === null) return 'missing';
  if (figure.target === undefined) return '';
  return figure.value <= figure.target ? 'met' : 'MISSED';
}

export function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load_average_1m_at_end: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export interface ReportExtras {
  readonly durationS?: number;
  /** Load average when the run began: the machine may be shared. */
  readonly loadAtStart?: number;
}

export function writeBenchReport(figures: Readonly<Figures>, path: string, extra: ReportExtras = {}): void {
  const report = {
    machine: { ...machine(), ...(extra.loadAtStart === undefined ? {} : { load_average_1m_at_start: Math.round(extra.loadAtStart * 100) / 100 }) },
    date: new Date().toISOString(),
    ...(extra.durationS === undefined ? {} : { duration_s: Math.round(extra.durationS) }),
    figures,
  };
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatTable(figures)}\nwritten to ${path}\n`);
}

export function formatTable(figures: Readonly<Figures>): string {
  const rows = Object.entries(figures).map(([name, figure]) => [
    name,
    figure.value === null ? '-' : `${round(figure.value)} ${figure.unit}`,
    figure.target === undefined ? '' : `${figure.target} ${figure.unit}`,
    verdict(figure),
    figure.runs === undefined ? '' : String(figure.runs),
    figure.missing ?? figure.note ?? '',
  ]);
  const header = ['figure', 'value', 'target', '', 'runs', 'note'];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]?.length ?? 0)));
  return [header, ...rows].map((row) => `${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd()}\n`).join('');
}

export function round(value: number): number {
  if (Math.abs(value) >= 100) return Math.round(value);
  return Math.round(value * 100) / 100;
}
