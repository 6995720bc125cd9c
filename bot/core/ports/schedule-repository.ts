// Stored calendar schedules: the text as typed and its canonical form (what is evaluated).
export type ApprovalPolicy = 'required' | 'pre-approved';

export interface NewSchedule {
  readonly name: string | undefined;
  readonly specText: string;
  readonly canonical: string;
  readonly approval: ApprovalPolicy;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface StoredSchedule extends NewSchedule {
  readonly id: number;
}

export interface ScheduleRepository {
  add(schedule: NewSchedule): Promise<StoredSchedule>;
  /** Active schedules, oldest first. */
  list(): Promise<StoredSchedule[]>;
  /** An active schedule, by id. */
  get(id: number): Promise<StoredSchedule | undefined>;
  /** An active schedule with this name, if any. */
  findByName(name: string): Promise<StoredSchedule | undefined>;
  /** Retires an active schedule; false when there is none with that id. */
  remove(id: number, by: string, at: Date): Promise<boolean>;
}
