// A duration on its own (`open 90m`), with the same units and limits as `for <duration>` in specs.
import { readDuration } from './duration.ts';
import { catchSyntaxError } from './syntax-error.ts';
import { TokenCursor, tokenize } from './tokens.ts';

export type DurationResult = { readonly ok: true; readonly minutes: number } | { readonly ok: false; readonly message: string };

export function parseDurationText(text: string, example: string): DurationResult {
  const cursor = new TokenCursor(tokenize(text));
  const read = catchSyntaxError(() => {
    const minutes = readDuration(cursor, example);
    return { minutes, rest: cursor.rest() };
  });
  if (!read.ok) return { ok: false, message: read.error.message };
  if (read.value.rest !== '') return { ok: false, message: `cannot read "${read.value.rest}" after the duration; example: ${example}` };
  return { ok: true, minutes: read.value.minutes };
}
