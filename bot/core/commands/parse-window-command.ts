// Arguments of the window commands: open, close, cancel, approve, reject, history, sim.
import { parseLabelSelector } from '../cluster/label-selector.ts';
import { parseDurationText } from '../schedule/parse-duration.ts';
import { canonicalZoneName } from '../schedule/zone.ts';
import type { Command, StartSpec } from './command.ts';
import { extractOptions } from './options.ts';

export type WindowArgumentsResult = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly message: string };

export const MAX_CONCURRENCY = 100;
export const MAX_HISTORY = 100;
const OPEN_EXAMPLE = 'open 2h at 22:00 --concurrency 2';

export function parseOpen(args: readonly string[], defaultZone: string, maxReasonLength: number): WindowArgumentsResult {
  const extracted = extractOptions(args, { concurrency: 'value', nodes: 'value', reason: 'text' });
  if (!extracted.ok) return extracted;
  const words = extracted.rest;
  const atIndex = words.findIndex((word) => word.toLowerCase() === 'at');
  const durationWords = atIndex === -1 ? words : words.slice(0, atIndex);
  if (durationWords.length === 0) return { ok: false, message: 'how long? give a duration like 90m or 2h' };
  const duration = parseDurationText(durationWords.join(' '), OPEN_EXAMPLE);
  if (!duration.ok) return duration;
  const start = atIndex === -1 ? ({ ok: true, start: { kind: 'now' } } as const) : parseStart(words.slice(atIndex + 1), defaultZone);
  if (!start.ok) return start;

  const concurrencyText = extracted.values.get('concurrency');
  let concurrency: number | undefined;
  if (concurrencyText !== undefined) {
    concurrency = /^\d{1,3}$/.test(concurrencyText) ? Number(concurrencyText) : Number.NaN;
    if (!(concurrency >= 1 && concurrency <= MAX_CONCURRENCY)) {
      return { ok: false, message: `--concurrency "${concurrencyText}" must be a whole number from 1 to ${MAX_CONCURRENCY}` };
    }
  }
  const nodesText = extracted.values.get('nodes');
  if (nodesText !== undefined) {
    const selector = parseLabelSelector(nodesText);
    if (!selector.ok) return { ok: false, message: `--nodes: ${selector.message}` };
  }
  const reason = extracted.values.get('reason') ?? '';
  if (reason.length > maxReasonLength) return { ok: false, message: `the reason is longer than ${maxReasonLength} characters` };
  return { ok: true, command: { kind: 'open', minutes: duration.minutes, start: start.start, concurrency, nodeSelector: nodesText, reason } };
}

type StartResult = { readonly ok: true; readonly start: StartSpec } | { readonly ok: false; readonly message: string };

/** `at 14:00 [zone]`, `at 2026-12-08 14:00 [zone]`, `at 2026-12-08T13:00:00Z`. */
function parseStart(words: readonly string[], defaultZone: string): StartResult {
  const [first, second, third, ...extra] = words;
  const expected = 'expected a start like "at 22:00", "at 2026-12-08 14:00 Europe/Zurich" or "at 2026-12-08T13:00:00Z"';
  if (first === undefined) return { ok: false, message: `at what time? ${expected}` };
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i.test(first) && second === undefined) {
    return Number.isNaN(Date.parse(first)) ? { ok: false, message: `cannot read "${first}": ${expected}` } : { ok: true, start: { kind: 'instant', iso: first } };
  }
  const clock = readClock(first);
  if (clock !== undefined) {
    const zone = readZone(second, defaultZone);
    if (zone === undefined || third !== undefined) return { ok: false, message: `cannot read "${words.join(' ')}": ${expected}` };
    return { ok: true, start: { kind: 'clock', ...clock, zone } };
  }
  const date = /^\d{4}-\d\d-\d\d$/.test(first) ? first : undefined;
  const time = second === undefined ? undefined : readClock(second);
  const zone = readZone(third, defaultZone);
  if (date === undefined || time === undefined || zone === undefined || extra.length > 0 || !validDate(date)) {
    return { ok: false, message: `cannot read "${words.join(' ')}": ${expected}` };
  }
  return { ok: true, start: { kind: 'local', date, ...time, zone } };
}

function readClock(word: string): { hour: number; minute: number } | undefined {
  const match = /^(\d{1,2}):(\d\d)$/.exec(word);
  if (match === null) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

function readZone(word: string | undefined, defaultZone: string): string | undefined {
  return word === undefined ? defaultZone : canonicalZoneName(word);
}

function validDate(text: string): boolean {
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

export function parseWindowId(args: readonly string[], optional: boolean): { ok: true; id: number | undefined } | { ok: false; message: string } {
  if (args.length === 0) return optional ? { ok: true, id: undefined } : { ok: false, message: 'which window? give its id, as shown by "status"' };
  const match = args.length === 1 ? /^#?(\d{1,9})$/.exec(args[0] ?? '') : null;
  if (match?.[1] === undefined) return { ok: false, message: `expected one window id, as shown by "status", not "${args.join(' ')}"` };
  return { ok: true, id: Number(match[1]) };
}

export function parseHistoryCount(args: readonly string[]): { ok: true; count: number } | { ok: false; message: string } {
  if (args.length === 0) return { ok: true, count: 10 };
  const count = args.length === 1 && /^\d{1,3}$/.test(args[0] ?? '') ? Number(args[0]) : Number.NaN;
  if (!(count >= 1 && count <= MAX_HISTORY)) return { ok: false, message: `expected how many windows, from 1 to ${MAX_HISTORY}` };
  return { ok: true, count };
}

export function parseSimPending(args: readonly string[]): WindowArgumentsResult {
  const [node, ...packages] = args;
  if (node === undefined) return { ok: false, message: 'which node? e.g. sim pending sim-node-2' };
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(node)) return { ok: false, message: `"${node}" is not a node name` };
  if (packages.some((name) => !/^[A-Za-z0-9][A-Za-z0-9.+:~_-]{0,99}$/.test(name))) return { ok: false, message: 'package names may use letters, digits and . + : ~ _ -' };
  return { ok: true, command: { kind: 'sim-pending', node, packages } };
}
