// The typed commands every chat surface (Slack, Teams, console, CLI) turns text into.
import type { ApprovalPolicy } from '../ports/schedule-repository.ts';
import type { Schedule, SkipRange } from '../schedule/index.ts';

/** A schedule as the user typed it and as it was understood. */
export interface ScheduleSpec {
  readonly text: string;
  readonly schedule: Schedule;
}

/** When an on-demand window starts: now, a wall time today/tomorrow, a local date and time, or an instant. */
export type StartSpec =
  | { readonly kind: 'now' }
  | { readonly kind: 'clock'; readonly hour: number; readonly minute: number; readonly zone: string }
  | { readonly kind: 'local'; readonly date: string; readonly hour: number; readonly minute: number; readonly zone: string }
  | { readonly kind: 'instant'; readonly iso: string };

export type Command =
  | { readonly kind: 'help'; readonly topic: readonly string[] }
  | { readonly kind: 'status' }
  | { readonly kind: 'nodes' }
  | {
      readonly kind: 'open';
      readonly minutes: number;
      readonly start: StartSpec;
      readonly concurrency: number | undefined;
      readonly nodeSelector: string | undefined;
      readonly reason: string;
    }
  | { readonly kind: 'close'; readonly windowId: number | undefined }
  | { readonly kind: 'cancel'; readonly windowId: number }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  /** Free kured's lock from a stuck holder (the text form of the stuck-lock alert's Release button). */
  | { readonly kind: 'release-lock'; readonly holder: string }
  | { readonly kind: 'approve'; readonly windowId: number }
  | { readonly kind: 'reject'; readonly windowId: number }
  | { readonly kind: 'history'; readonly count: number }
  | { readonly kind: 'sim-pending'; readonly node: string; readonly packages: readonly string[] }
  | { readonly kind: 'sim-reset' }
  | { readonly kind: 'schedule-add'; readonly spec: ScheduleSpec; readonly name: string | undefined; readonly approval: ApprovalPolicy }
  | { readonly kind: 'schedule-list' }
  | { readonly kind: 'schedule-remove'; readonly target: ScheduleTarget }
  | { readonly kind: 'schedule-preview'; readonly spec: ScheduleSpec; readonly count: number; readonly withSkips: boolean }
  | { readonly kind: 'skip'; readonly range: SkipRange; readonly reason: string }
  | { readonly kind: 'skips' }
  | { readonly kind: 'unskip'; readonly id: number };

export type ScheduleTarget = { readonly kind: 'id'; readonly id: number } | { readonly kind: 'name'; readonly name: string };

export type CommandKind = Command['kind'];
