// `patchwindow schedule preview "<spec>"`: the windows a spec produces, as a table or JSON.
import { DateTime } from 'luxon';
import { loadConfig } from '../config/load-config.ts';
import type { ConfigSources } from '../config/load-config.ts';
import { formatSchedule, parseSchedule, windowsOf, windowToJson } from '../core/schedule/index.ts';
import type { SkipRange, Window } from '../core/schedule/index.ts';
import { openStoreReadOnly } from '../../storage/open-store.ts';
import { SqliteSkipRepository } from '../../storage/sqlite-skip-repository.ts';

export const MAX_CLI_PREVIEW_COUNT = 10_000;

export interface PreviewOptions {
  readonly from?: string;
  readonly count?: string;
  readonly json?: boolean;
  readonly withSkips?: boolean;
}

export type PreviewOutcome = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string };

export interface Output {
  write(text: string): unknown;
}

export async function runSchedulePreview(
  spec: string,
  options: PreviewOptions,
  sources: ConfigSources,
  io: { readonly stdout: Output; readonly stderr: Output; readonly now: Date },
): Promise<number> {
  const config = loadConfig(sources);
  const skips = options.withSkips === true ? await storedSkips(config.db.path) : [];
  const outcome = renderPreview(spec, options, { defaultZone: config.schedules.defaultZone, skips, now: io.now });
  if (!outcome.ok) {
    io.stderr.write(`patchwindow: ${outcome.error}\n`);
    return 2;
  }
  io.stdout.write(outcome.stdout);
  return 0;
}

/** Everything but the I/O, so the benchmark measures exactly what the command does. */
export function renderPreview(
  spec: string,
  options: PreviewOptions,
  context: { readonly defaultZone: string; readonly skips: readonly SkipRange[]; readonly now: Date },
): PreviewOutcome {
  const parsed = parseSchedule(spec, { defaultZone: context.defaultZone });
  if (!parsed.ok) return { ok: false, error: parsed.error.message };
  const from = options.from === undefined ? DateTime.fromJSDate(context.now) : DateTime.fromISO(options.from, { setZone: true });
  if (!from.isValid || (options.from !== undefined && !/(?:Z|[+-]\d\d:?\d\d)$/i.test(options.from))) {
    return { ok: false, error: `--from "${options.from ?? ''}" is not an ISO 8601 instant with an offset; example: --from 2026-12-01T00:00:00Z` };
  }
  const countText = options.count ?? '5';
  const count = /^\d{1,5}$/.test(countText) ? Number(countText) : Number.NaN;
  if (!(count >= 1 && count <= MAX_CLI_PREVIEW_COUNT)) {
    return { ok: false, error: `--count "${countText}" is not a whole number from 1 to ${MAX_CLI_PREVIEW_COUNT}; example: --count 10` };
  }
  const windows = windowsOf(parsed.schedule, { from, count, skips: context.skips });
  if (options.json === true) return { ok: true, stdout: `${JSON.stringify(windows.map(windowToJson))}\n` };
  return { ok: true, stdout: table(formatSchedule(parsed.schedule), parsed.schedule.zone, windows) };
}

function table(canonical: string, zone: string, windows: readonly Window[]): string {
  if (windows.length === 0) return `${canonical}\nno windows after the given time\n`;
  const rows = windows.map((window, index) => [
    String(index + 1),
    window.start.setLocale('en').toFormat('ccc yyyy-MM-dd HH:mm ZZ'),
    window.end.setLocale('en').toFormat('ccc yyyy-MM-dd HH:mm ZZ'),
    window.start.toUTC().toFormat("yyyy-MM-dd HH:mm'Z'"),
    window.end.toUTC().toFormat("yyyy-MM-dd HH:mm'Z'"),
  ]);
  const header = ['#', `start (${zone})`, 'end', 'start (UTC)', 'end (UTC)'];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [canonical, line(header), ...rows.map(line)].join('\n') + '\n';
}

async function storedSkips(path: string): Promise<SkipRange[]> {
  const database = await openStoreReadOnly(path);
  try {
    return (await new SqliteSkipRepository(database).list()).map((skip) => skip.range);
  } finally {
    await database.close();
  }
}
