// Slack's slash command, button clicks and the window form as ChatInbound calls. Every request is
// acknowledged first (Slack gives 3 s), then the engine works, then the answer goes privately to
// whoever typed or clicked, through the request's response_url (chat.postEphemeral if that fails).
// The one exception is the window form's submission: its acknowledgement carries the engine's
// refusal, so the engine answers first (within most of those 3 s). Requests from another
// workspace (when one is configured) or another channel are refused, and a request Slack
// delivers twice (same trigger or event id) has one effect.
import type { App } from '@slack/bolt';
import type { AnyMiddlewareArgs, BlockAction, SlackCommandMiddlewareArgs, types, ViewSubmitAction, webApi } from '@slack/bolt';
import type { Actor, ChatInbound, InboundReply } from '../../core/ports/chat-port.ts';
import { errorSummary } from '../chat/recent-deliveries.ts';
import type { RecentDeliveries } from '../chat/recent-deliveries.ts';
import { storageFailureAnswer } from '../chat/storage-failure-answer.ts';
import type { Logger } from '../logging/create-logger.ts';
import { renderReply } from './slack-blocks.ts';
import type { SlackMessagePayload } from './slack-blocks.ts';
import {
  DEFAULT_FORM_ANSWER_MS,
  formChannel,
  OPEN_WINDOW_ACTION,
  OPEN_WINDOW_VIEW,
  openWindowModal,
  readOpenWindowForm,
  refusalErrors,
  renderSharedStatus,
  SHARE_STATUS_ACTION,
  statusActions,
} from './slack-window-form.ts';
import type { SubmittedValues } from './slack-window-form.ts';

export interface SlackInboundOptions {
  readonly inbound: ChatInbound;
  readonly channel: string;
  /** The slash command, e.g. `/patchwindow`. */
  readonly command: string;
  /** Set: only this workspace (or Enterprise Grid organisation) is served. */
  readonly teamId: string | undefined;
  readonly logger: Logger;
  /** For private answers when a response_url fails (and after a form), and for opening the window form. */
  readonly client: {
    readonly chat: { postEphemeral(arguments_: webApi.ChatPostEphemeralArguments): Promise<unknown> };
    readonly views: { open(arguments_: webApi.ViewsOpenArguments): Promise<unknown> };
  };
  /** Posts a message to the channel now (paced with the outbox's posts); for "Share in channel". */
  readonly share: (payload: SlackMessagePayload) => Promise<void>;
  readonly seen: RecentDeliveries;
  /** Runs `work` and lets shutdown wait for it. */
  readonly track: (work: () => Promise<void>) => Promise<void>;
  readonly responseTimeoutMs?: number;
  /** How long a form submission waits for the engine before closing the form anyway. Default 2.5 s. */
  readonly formAnswerMs?: number;
}

const FAILED_INSIDE = 'Sorry, that failed inside the bot; the log says why.';

export function registerSlackInbound(app: App, options: SlackInboundOptions): void {
  const { logger, inbound } = options;
  const answer = privateAnswer(options);

  app.use(async (args) => {
    const request = describeRequest(args.body);
    if (request.deliveryId !== undefined && !options.seen.firstTime(request.deliveryId)) {
      logger.info({ kind: request.kind, retryNum: args.context.retryNum }, 'Slack delivered a request again; acknowledged, not acted on');
      await ackIfPossible(args);
      return;
    }
    const team = options.teamId;
    if (team !== undefined && args.context.teamId !== team && args.context.enterpriseId !== team) {
      logger.warn({ kind: request.kind, team: args.context.teamId, user: request.user }, 'Slack request from another workspace refused');
      await ackIfPossible(args, request.kind === 'command' ? 'This patchwindow serves another Slack workspace.' : undefined);
      return;
    }
    // Slack always names the user of a command, click or form; a request without one (only ever
    // hand-made) would fail inside a listener, so it is refused here.
    if (request.kind !== 'event' && request.kind !== 'other' && request.user === undefined) {
      logger.warn({ kind: request.kind }, 'Slack request without a user refused');
      await ackIfPossible(args);
      return;
    }
    if ((request.kind === 'command' || request.kind === 'action') && request.channel !== options.channel) {
      const text = `patchwindow works only in <#${options.channel}>.`;
      logger.warn({ kind: request.kind, channel: request.channel, user: request.user }, 'Slack request from another channel refused');
      if (request.kind === 'command') {
        await ackIfPossible(args, text);
      } else {
        await ackIfPossible(args);
        const user = request.user;
        if (user !== undefined) await options.track(() => answer({ responseUrl: request.responseUrl, channel: request.channel, user }, text));
      }
      return;
    }
    await args.next();
  });

  app.command(options.command, async ({ command, ack }: SlackCommandMiddlewareArgs) => {
    await ack();
    await options.track(async () => {
      const actor: Actor = { id: `slack:${command.user_id}`, displayName: command.user_name === '' ? command.user_id : command.user_name };
      const text = command.text.trim() === '' ? 'help' : command.text;
      const reply = await guarded(() => inbound.command(actor, text), logger, actor, 'command');
      // A status answer offers the window form and sharing it with the channel.
      const after = reply.ok && /^\s*status\s*$/i.test(text) ? [statusActions()] : [];
      await answer({ responseUrl: command.response_url, channel: command.channel_id, user: command.user_id }, reply.text, after);
    });
  });

  app.action<BlockAction>({ type: 'block_actions' }, async ({ body, action, ack }) => {
    await ack();
    await options.track(async () => {
      const actor: Actor = { id: `slack:${body.user.id}`, displayName: body.user.username || body.user.name || body.user.id };
      const target = { responseUrl: body.response_url, channel: body.channel?.id, user: body.user.id };
      if (action.type !== 'button') {
        await answer(target, 'patchwindow does not know that control.');
        return;
      }
      if (action.action_id === OPEN_WINDOW_ACTION) {
        await openForm(options, body.trigger_id, actor, (text) => answer(target, text));
        return;
      }
      if (action.action_id === SHARE_STATUS_ACTION) {
        await shareStatus(options, actor, body.user.id, (text) => answer(target, text));
        return;
      }
      const reply = await guarded(() => inbound.action(actor, action.action_id, action.value ?? ''), logger, actor, 'action');
      await answer(target, reply.text);
    });
  });

  app.view<ViewSubmitAction>({ type: 'view_submission', callback_id: OPEN_WINDOW_VIEW }, async ({ body, view, ack }) => {
    await options.track(async () => {
      const user = body.user.id;
      const actor: Actor = { id: `slack:${user}`, displayName: userName(body.user) };
      // Only the configured channel's users get this form; the answer goes there too.
      const later = (text: string): Promise<void> => answer({ responseUrl: undefined, channel: options.channel, user }, text);
      if (formChannel(view.private_metadata) !== options.channel) {
        logger.warn({ user }, 'Slack window form for another channel refused');
        await ack({ response_action: 'errors', errors: { duration: 'This form belongs to another channel; open it again from the status answer.' } });
        return;
      }
      const form = readOpenWindowForm(asRecord(asRecord(view.state)['values']) as SubmittedValues);
      if (!form.ok) {
        logger.info({ user, fields: Object.keys(form.errors) }, 'Slack window form refused: invalid input');
        await ack({ response_action: 'errors', errors: form.errors });
        return;
      }
      const work = guarded(() => inbound.command(actor, form.text), logger, actor, 'window form');
      const reply = await within(work, options.formAnswerMs ?? DEFAULT_FORM_ANSWER_MS);
      if (reply === undefined) {
        // Slack would show the user an error: close the form now and answer when the engine has.
        await ack();
        logger.warn({ user }, 'the engine took long to answer a Slack window form; answering privately instead');
        await later((await work).text);
        return;
      }
      if (!reply.ok) {
        await ack({ response_action: 'errors', errors: refusalErrors(reply.text) });
        return;
      }
      await ack();
      await later(reply.text);
    });
  });

  app.error(async (error) => {
    logger.error({ err: { type: error.name, message: error.message, code: error.code } }, 'Slack request handling failed');
    await Promise.resolve();
  });
}

interface AnswerTarget {
  readonly responseUrl: string | undefined;
  readonly channel: string | undefined;
  readonly user: string;
}

/** Opens the window form with the click's trigger (valid for 3 s, hence right after the ack). */
async function openForm(options: SlackInboundOptions, triggerId: string, actor: Actor, tell: (text: string) => Promise<void>): Promise<void> {
  try {
    await options.client.views.open({ trigger_id: triggerId, view: openWindowModal(options.channel) });
  } catch (error: unknown) {
    options.logger.warn({ err: errorSummary(error), actor: actor.id }, 'could not open the Slack window form');
    await tell(`Could not open the form (${slackErrorCode(error)}); try again, or type "${options.command} open 2h" (see "${options.command} help open").`);
  }
}

/** Posts the current status (not the one the button came with, which may be old) to the channel. */
async function shareStatus(options: SlackInboundOptions, actor: Actor, userId: string, tell: (text: string) => Promise<void>): Promise<void> {
  const status = await guarded(() => options.inbound.command(actor, 'status'), options.logger, actor, 'status');
  if (!status.ok) {
    await tell(status.text);
    return;
  }
  try {
    await options.share(renderSharedStatus(status.text, { id: userId, name: actor.displayName }));
  } catch (error: unknown) {
    options.logger.warn({ err: errorSummary(error), actor: actor.id }, 'could not share the status in the Slack channel');
    await tell(`Could not share the status: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  options.logger.info({ actor: actor.id }, 'status shared in the Slack channel');
  await tell('Shared the current status in the channel.');
}

function privateAnswer(options: SlackInboundOptions): (target: AnswerTarget, text: string, after?: types.KnownBlock[]) => Promise<void> {
  const timeoutMs = options.responseTimeoutMs ?? 10_000;
  return async (target, text, after = []) => {
    const payload = renderReply(text, { after });
    if (target.responseUrl !== undefined && target.responseUrl !== '') {
      try {
        const response = await fetch(target.responseUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: payload.text, blocks: payload.blocks }),
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return;
        options.logger.warn({ status: response.status }, 'Slack response_url refused the answer; trying chat.postEphemeral');
      } catch (error: unknown) {
        options.logger.warn({ err: errorSummary(error) }, 'Slack response_url not reachable; trying chat.postEphemeral');
      }
    }
    if (target.channel === undefined) return;
    try {
      await options.client.chat.postEphemeral({ channel: target.channel, user: target.user, text: payload.text, blocks: payload.blocks });
    } catch (error: unknown) {
      options.logger.error({ err: errorSummary(error), user: target.user }, 'could not answer a Slack user privately');
    }
  };
}

async function guarded(call: () => Promise<InboundReply>, logger: Logger, actor: Actor, what: string): Promise<InboundReply> {
  try {
    return await call();
  } catch (error: unknown) {
    logger.error({ err: error, actor: actor.id }, `Slack ${what} failed`);
    return { ok: false, text: storageFailureAnswer(error) ?? FAILED_INSIDE };
  }
}

/** `work`'s result if it comes within `ms`, else undefined (`work` goes on). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function userName(user: { readonly id: string; readonly name?: string }): string {
  const username = asRecord(user)['username'];
  if (typeof username === 'string' && username !== '') return username;
  return user.name !== undefined && user.name !== '' ? user.name : user.id;
}

function slackErrorCode(error: unknown): string {
  const data = asRecord(asRecord(error)['data']);
  return typeof data['error'] === 'string' ? `Slack answered ${data['error']}` : 'Slack not reachable';
}

async function ackIfPossible(args: AnyMiddlewareArgs, text?: string): Promise<void> {
  if (!('ack' in args) || typeof args.ack !== 'function') return;
  const ack = args.ack as (response?: unknown) => Promise<void>;
  await (text === undefined ? ack() : ack({ response_type: 'ephemeral', text }));
}

interface RequestFacts {
  readonly kind: 'command' | 'action' | 'view' | 'event' | 'other';
  /** Same for every delivery of one request: a trigger id, or an event id. */
  readonly deliveryId: string | undefined;
  readonly channel: string | undefined;
  readonly user: string | undefined;
  readonly responseUrl: string | undefined;
}

/** The few fields the guard needs, read defensively from any of Slack's payload shapes. */
function describeRequest(body: unknown): RequestFacts {
  const record = asRecord(body);
  const string = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  if (string(record['command']) !== undefined) {
    return {
      kind: 'command',
      deliveryId: prefixed('trigger', string(record['trigger_id'])),
      channel: string(record['channel_id']),
      user: string(record['user_id']),
      responseUrl: string(record['response_url']),
    };
  }
  if (record['type'] === 'block_actions') {
    return {
      kind: 'action',
      deliveryId: prefixed('trigger', string(record['trigger_id'])),
      channel: string(asRecord(record['channel'])['id']),
      user: string(asRecord(record['user'])['id']),
      responseUrl: string(record['response_url']),
    };
  }
  if (record['type'] === 'view_submission') {
    return { kind: 'view', deliveryId: prefixed('trigger', string(record['trigger_id'])), channel: undefined, user: string(asRecord(record['user'])['id']), responseUrl: undefined };
  }
  if (record['type'] === 'event_callback') {
    return { kind: 'event', deliveryId: prefixed('event', string(record['event_id'])), channel: undefined, user: undefined, responseUrl: undefined };
  }
  return { kind: 'other', deliveryId: prefixed('trigger', string(record['trigger_id'])), channel: undefined, user: undefined, responseUrl: undefined };
}

function prefixed(prefix: string, id: string | undefined): string | undefined {
  return id === undefined ? undefined : `${prefix}:${id}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
