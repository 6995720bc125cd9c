// How the 100,000 generated cases of a chaos run are shared out: most go to the pure parsers
// (microseconds each), fewer to the engine on SQLite, fewest to the HTTP endpoints.
export const FUZZ_BUDGET = {
  'command grammar: arbitrary text': 10_000,
  'command grammar: token soup': 22_000,
  'command grammar: mutated examples': 17_000,
  'schedule specs: arbitrary text': 4_000,
  'schedule specs: token soup': 6_000,
  'schedule specs: mutated valid specs': 10_000,
  'skip ranges': 4_000,
  'config: YAML text': 9_000,
  'config: near-valid settings': 3_000,
  'config: files and environment': 2_000,
  'engine commands': 6_000,
  'Slack requests': 3_500,
  'Teams activities': 3_500,
} as const;

export type FuzzTargetName = keyof typeof FUZZ_BUDGET;

export const FUZZ_TOTAL = 100_000;
