// Every decision and side effect is recorded: who, what, on which subject, when, with details.
import type { JsonObject } from '../json.ts';

export interface NewAuditEntry {
  readonly at: Date;
  /** A user id (Slack, Teams, console) or `system` for the bot's own actions. */
  readonly actor: string;
  /** Dotted verb, e.g. `window.approved`, `bot.started`. */
  readonly action: string;
  /** What the action was about, e.g. `window:42`, `node:aks-pool-1`. Empty when nothing in particular. */
  readonly subject: string;
  readonly details?: JsonObject;
}

export interface AuditEntry extends Required<NewAuditEntry> {
  readonly id: number;
}

export interface AuditQuery {
  readonly subject?: string;
  readonly action?: string;
  /** Newest first; at most this many. */
  readonly limit?: number;
}

export interface AuditLog {
  record(entry: NewAuditEntry): Promise<AuditEntry>;
  list(query?: AuditQuery): Promise<AuditEntry[]>;
}
