// Stored windows and the per-node progress inside them.
import type { MaintenanceWindow } from '../windows/maintenance-window.ts';
import type { NodeProgress } from '../windows/node-progress.ts';

export type NewWindow = Omit<MaintenanceWindow, 'id'>;

export interface WindowRepository {
  create(window: NewWindow): Promise<MaintenanceWindow>;
  /** Stores every field of an existing window. */
  save(window: MaintenanceWindow): Promise<void>;
  get(id: number): Promise<MaintenanceWindow | undefined>;
  /** Windows not in a final state, by start. */
  listLive(): Promise<MaintenanceWindow[]>;
  /** Newest first. */
  listRecent(limit: number): Promise<MaintenanceWindow[]>;
  /** The window a schedule produced for this start, if any (whatever its state). */
  findBySchedule(scheduleId: number, start: Date): Promise<MaintenanceWindow | undefined>;
}

export interface NodeProgressRepository {
  list(windowId: number): Promise<NodeProgress[]>;
  /** Inserts or replaces the progress of one node in one window. */
  save(windowId: number, progress: NodeProgress): Promise<void>;
  /** Cordon-to-done durations of finished nodes, newest first. */
  recentDurations(limit: number): Promise<number[]>;
}
