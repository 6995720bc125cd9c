// Public API of the schedule module: parse a spec, print it canonically, expand it into windows.
export type {
  ByDay,
  ClockTime,
  Frequency,
  Month,
  ParseResult,
  Rule,
  Schedule,
  ScheduleSyntaxError,
  Until,
  Weekday,
  WindowEnd,
} from './model.ts';
export { parseSchedule } from './parse.ts';
export type { ParseScheduleOptions } from './parse.ts';
export { formatSchedule } from './format.ts';
export { windowsOf, windowToJson } from './expand.ts';
export type { Window, WindowsOfOptions } from './expand.ts';
export { formatSkipRange, parseSkipRange } from './skip-range.ts';
export type { SkipRange, SkipRangeParseResult } from './skip-range.ts';
export { EXAMPLES as SCHEDULE_EXAMPLES } from './syntax-error.ts';
