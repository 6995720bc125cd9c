// What a command needs to run: who asked, when, and the repositories. Passed in, never global.
import type { Repositories, Transactions } from '../ports/repositories.ts';

export interface CommandContext {
  /** The platform's user id of whoever typed the command (`console:alice`, a Slack or Teams id). */
  readonly actor: string;
  readonly now: Date;
  readonly defaultZone: string;
  /** For reads. */
  readonly repositories: Repositories;
  /** For changes: each change is written together with its audit entry. */
  readonly transactions: Transactions;
}

/** A command's answer. `ok: false` answers go only to the caller. */
export interface Reply {
  readonly ok: boolean;
  readonly text: string;
}
