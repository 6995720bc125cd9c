// The members of the Slack user groups named as approvers (`slack-group:S…`), read with
// usergroups.users.list at start and then every few minutes, kept in memory so the engine's
// approval check reads a snapshot and does no I/O. A group that cannot be read keeps the members
// it had (a Slack hiccup must not lock approvers out) and is logged; one never read has none, so
// nobody is an approver through it until Slack answers.
import type { webApi } from '@slack/bolt';
import type { Logger } from '../logging/create-logger.ts';
import type { ApproverGroups } from '../../core/windows/approval-policy.ts';

export const SLACK_GROUP_PREFIX = 'slack-group:';
export const USER_GROUP_REFRESH_MS = 5 * 60_000;

export interface SlackUserGroupsClient {
  readonly usergroups: {
    readonly users: {
      list(arguments_: webApi.UsergroupsUsersListArguments): Promise<webApi.UsergroupsUsersListResponse>;
    };
  };
}

export interface SlackUserGroupsOptions {
  readonly client: SlackUserGroupsClient;
  /** Approver entries; only the `slack-group:` ones are read. */
  readonly approvers: readonly string[];
  readonly logger: Logger;
  readonly refreshMs?: number;
}

export class SlackUserGroups {
  readonly #options: SlackUserGroupsOptions;
  readonly #groups: readonly string[];
  readonly #members = new Map<string, ReadonlySet<string>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SlackUserGroupsOptions) {
    this.#options = options;
    this.#groups = options.approvers.filter((approver) => approver.startsWith(SLACK_GROUP_PREFIX));
  }

  /** Whether any approver is a group (nothing to read otherwise). */
  get needed(): boolean {
    return this.#groups.length > 0;
  }

  /** The members of each group as last read, as actor ids (`slack:U…`). */
  snapshot(): ApproverGroups {
    return this.#members;
  }

  /** Reads every group once; failures are logged and leave that group's members as they were. */
  async refresh(): Promise<void> {
    for (const group of this.#groups) {
      const id = group.slice(SLACK_GROUP_PREFIX.length);
      try {
        const answer = await this.#options.client.usergroups.users.list({ usergroup: id });
        const users = answer.users ?? [];
        this.#members.set(group, new Set(users.map((user) => `slack:${user}`)));
        this.#options.logger.debug({ group, members: users.length }, 'Slack user group of approvers read');
      } catch (error: unknown) {
        this.#options.logger.warn(
          { group, err: error instanceof Error ? error.message : String(error), keptMembers: this.#members.get(group)?.size ?? 0 },
          'cannot read the members of a Slack user group of approvers (needs the usergroups:read scope); keeping the members read before',
        );
      }
    }
  }

  /** Reads the groups now, then every `refreshMs`. */
  async start(): Promise<void> {
    if (!this.needed || this.#timer !== undefined) return;
    await this.refresh();
    this.#timer = setInterval(() => {
      void this.refresh();
    }, this.#options.refreshMs ?? USER_GROUP_REFRESH_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
