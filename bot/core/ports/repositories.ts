// All repositories, and a way to change several of them atomically: a state change and its
// audit entry are written together or not at all.
import type { AuditLog } from './audit-log.ts';
import type { OutboxRepository } from './outbox-repository.ts';
import type { ScheduleRepository } from './schedule-repository.ts';
import type { SkipRepository } from './skip-repository.ts';
import type { NodeProgressRepository, WindowRepository } from './window-repository.ts';

export interface Repositories {
  readonly audit: AuditLog;
  readonly schedules: ScheduleRepository;
  readonly skips: SkipRepository;
  readonly windows: WindowRepository;
  readonly nodeProgress: NodeProgressRepository;
  readonly outbox: OutboxRepository;
}

export interface Transactions {
  /** Runs `work` in one transaction: everything it wrote is kept if it resolves, nothing if it throws. */
  run<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}
