// The benchmark result file: {"machine", "date", "figures": {name: {value, unit, target}}},
// printed as a table and written to bench-results.json (git-ignored).
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Figure {
  readonly value: number;
  readonly unit: string;
  /** The goal; `value` should not exceed it (or, for `higher is better` figures, reach it). */
  readonly target?: number;
  readonly note?: string;
}

export function writeBenchReport(figures: Readonly<Record<string, Figure>>, path: string): void {
  const report = {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memory_gib: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    date: new Date().toISOString(),
    figures,
  };
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  const rows = Object.entries(figures).map(([name, figure]) => [
    name,
    `${round(figure.value)} ${figure.unit}`,
    figure.target === undefined ? '' : `${figure.target} ${figure.unit}`,
    figure.note ?? '',
  ]);
  const header = ['figure', 'value', 'target', 'note'];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of [header, ...rows]) {
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
  }
  process.stdout.write(`\nwritten to ${path}\n`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
