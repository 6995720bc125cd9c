// The typed commands every chat surface (Slack, Teams, console, CLI) turns text into.
import type { ApprovalPolicy } from '../ports/schedule-repository.ts';
import type { Schedule, SkipRange } from '../schedule/index.ts';

/** A schedule as the user typed it and as it was understood. */
export interface ScheduleSpec {
  readonly text: string;
  readonly schedule: Schedule;
}

export type Command =
  | { readonly kind: 'help'; readonly topic: readonly string[] }
  | { readonly kind: 'schedule-add'; readonly spec: ScheduleSpec; readonly name: string | undefined; readonly approval: ApprovalPolicy }
  | { readonly kind: 'schedule-list' }
  | { readonly kind: 'schedule-remove'; readonly target: ScheduleTarget }
  | { readonly kind: 'schedule-preview'; readonly spec: ScheduleSpec; readonly count: number; readonly withSkips: boolean }
  | { readonly kind: 'skip'; readonly range: SkipRange; readonly reason: string }
  | { readonly kind: 'skips' }
  | { readonly kind: 'unskip'; readonly id: number };

export type ScheduleTarget = { readonly kind: 'id'; readonly id: number } | { readonly kind: 'name'; readonly name: string };

export type CommandKind = Command['kind'];
