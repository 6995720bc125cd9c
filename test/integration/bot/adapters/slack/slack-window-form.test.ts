// The status answer's buttons, with requests signed and shaped as Slack sends them: "Open a
// window…" opens a modal with the click's trigger id; its submission becomes an `open` command
// for the engine (refusals and invalid input shown under the input at fault, the modal staying
// open); "Share in channel" posts the current status to the channel once, paced with the outbox.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FORM_BLOCKS, FORM_INPUT_ACTION, OPEN_WINDOW_ACTION, OPEN_WINDOW_VIEW, readOpenWindowForm, SHARE_STATUS_ACTION } from '../../../../../bot/adapters/slack/slack-window-form.ts';
import { parseCommand } from '../../../../../bot/core/commands/parse-command.ts';
import type { Actor, ChatInbound, InboundReply } from '../../../../../bot/core/ports/chat-port.ts';
import { FAKE_APP_TOKEN, FAKE_CHANNEL, FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import type { FakeMessage, FakeView } from '../../../../support/fake-slack-api.ts';
import { ALICE_ID, BOB_ID, startSlackHarness } from '../../../../support/slack-harness.ts';
import type { SlackHarness, SlackHarnessOptions } from '../../../../support/slack-harness.ts';
import { blockActionsBody, blockActionsPayload, postSigned, signedHeaders, slashCommandBody, triggerId, viewSubmissionBody, viewSubmissionPayload } from '../../../../support/slack-requests.ts';
import type { SentRequest } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
const fakes: FakeSlackApi[] = [];
const harnesses: SlackHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  for (const fake of fakes.splice(0)) await fake.close();
  dirs.removeAll();
});

async function setup(options: Partial<SlackHarnessOptions> & { fakePostIntervalMs?: number } = {}): Promise<{ fake: FakeSlackApi; h: SlackHarness }> {
  const fake = await FakeSlackApi.start({ postIntervalMs: options.fakePostIntervalMs ?? 0 });
  fakes.push(fake);
  const h = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, minPostIntervalMs: 0, ...options });
  harnesses.push(h);
  return { fake, h };
}

type Form = Partial<Record<keyof typeof FORM_BLOCKS, string>>;

/** `state.values` as Slack reports the form: every input, empty ones as null. */
function values(form: Form): Record<string, Record<string, { type: string; value: string | null }>> {
  const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
  for (const block of Object.values(FORM_BLOCKS)) {
    state[block] = { [FORM_INPUT_ACTION]: { type: block === FORM_BLOCKS.concurrency ? 'number_input' : 'plain_text_input', value: form[block] ?? null } };
  }
  return state;
}

/** `/patchwindow status`, answered privately with the buttons. */
async function status(fake: FakeSlackApi, h: SlackHarness, userId = ALICE_ID): Promise<Record<string, unknown>> {
  const responseUrl = fake.responseUrl();
  expect((await postSigned(h.eventsUrl, slashCommandBody({ text: 'status', userId, responseUrl }))).status).toBe(200);
  await fake.waitFor(() => fake.responses.some((response) => responseUrl.endsWith(`/response/${response.id}`)));
  return fake.responses.find((response) => responseUrl.endsWith(`/response/${response.id}`))?.body ?? {};
}

/** Clicks a button of the (ephemeral) status answer; resolves with the click's trigger id and response_url. */
async function clickStatusButton(fake: FakeSlackApi, h: SlackHarness, actionId: string, userId = ALICE_ID, trigger = triggerId()): Promise<{ trigger: string; responseUrl: string }> {
  const responseUrl = fake.responseUrl();
  const sent = await postSigned(h.eventsUrl, blockActionsBody({ actionId, value: actionId === OPEN_WINDOW_ACTION ? 'open' : 'status', userId, responseUrl, triggerId: trigger, ephemeral: true }));
  expect(sent).toMatchObject({ status: 200, text: '' });
  return { trigger, responseUrl };
}

async function openForm(fake: FakeSlackApi, h: SlackHarness, userId = ALICE_ID): Promise<FakeView> {
  const before = fake.views.length;
  await clickStatusButton(fake, h, OPEN_WINDOW_ACTION, userId);
  await fake.waitFor(() => fake.views.length === before + 1);
  const view = fake.views.at(-1);
  if (view === undefined) throw new Error('no modal was opened');
  return view;
}

async function submit(h: SlackHarness, view: FakeView, form: Form, userId = ALICE_ID): Promise<SentRequest> {
  return postSigned(h.eventsUrl, viewSubmissionBody({ view: view.view, viewId: view.id, values: values(form), userId }));
}

function sharedPosts(fake: FakeSlackApi): FakeMessage[] {
  return fake.topLevel().filter((message) => message.text.startsWith('Status shared by'));
}

function errorsOf(sent: SentRequest): Record<string, string> {
  const parsed = JSON.parse(sent.text) as { response_action: string; errors: Record<string, string> };
  expect(parsed.response_action).toBe('errors');
  return parsed.errors;
}

interface InputBlockShape {
  readonly block_id: string;
  readonly optional: boolean;
  readonly element: { readonly type: string; readonly action_id: string; readonly max_length?: number };
}

function inputBlocks(view: FakeView): InputBlockShape[] {
  const blocks = view.view['blocks'] as (InputBlockShape & { type: string })[];
  return blocks.filter((block) => block.type === 'input');
}

/** Records what reaches the engine side; answers `open` after `delayMs`. */
class RecordingInbound implements ChatInbound {
  readonly commands: { actor: Actor; text: string }[] = [];
  readonly delayMs: number;

  constructor(delayMs = 0) {
    this.delayMs = delayMs;
  }

  async command(actor: Actor, text: string): Promise<InboundReply> {
    this.commands.push({ actor, text });
    if (text.startsWith('open') && this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return { ok: true, text: text === 'status' ? 'No window is open or planned.' : `done: ${text}` };
  }

  action(): Promise<InboundReply> {
    return Promise.resolve({ ok: false, text: 'unexpected click' });
  }
}

describe('the status answer', () => {
  it('carries "Open a window…" and "Share in channel" buttons; other answers do not', async () => {
    const { fake, h } = await setup();
    const answer = await status(fake, h);
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringContaining('No window is open or planned.') as unknown });
    const actions = (answer['blocks'] as { type: string; elements?: { action_id: string; text: { text: string } }[] }[]).filter((block) => block.type === 'actions');
    expect(actions.flatMap((block) => block.elements?.map((element) => [element.action_id, element.text.text]) ?? [])).toEqual([
      [OPEN_WINDOW_ACTION, 'Open a window…'],
      [SHARE_STATUS_ACTION, 'Share in channel'],
    ]);

    const responseUrl = fake.responseUrl();
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'nodes', userId: ALICE_ID, responseUrl }));
    await fake.waitFor(() => fake.responses.length === 2);
    expect(JSON.stringify(fake.responses[1]?.body['blocks'])).not.toContain('"actions"');
  });
});

describe('the window form', () => {
  it('opens as a modal with the click\'s trigger id, with the five inputs, bound to the channel', async () => {
    const { fake, h } = await setup();
    const { trigger } = await clickStatusButton(fake, h, OPEN_WINDOW_ACTION);
    await fake.waitFor(() => fake.views.length === 1);
    const opened = fake.callsTo('views.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.outcome).toBe('ok');
    expect(opened[0]?.args['trigger_id']).toBe(trigger);
    const view = fake.views[0];
    expect(view?.view).toMatchObject({ type: 'modal', callback_id: OPEN_WINDOW_VIEW, private_metadata: JSON.stringify({ channel: FAKE_CHANNEL }), submit: { text: 'Request' } });
    const inputs = view === undefined ? [] : inputBlocks(view);
    expect(inputs.map((block) => [block.block_id, block.optional, block.element.type, block.element.action_id])).toEqual([
      ['duration', false, 'plain_text_input', 'value'],
      ['start', true, 'plain_text_input', 'value'],
      ['concurrency', true, 'number_input', 'value'],
      ['nodes', true, 'plain_text_input', 'value'],
      ['reason', true, 'plain_text_input', 'value'],
    ]);
    expect(inputs.find((block) => block.block_id === 'reason')?.element.max_length).toBe(200);
    // Opening the form neither asks the engine nor answers the user.
    expect(await h.repositories.windows.listLive()).toEqual([]);
    expect(fake.responses).toEqual([]);
  });

  it('tells the user privately when Slack will not open it (e.g. the trigger expired)', async () => {
    const { fake, h } = await setup();
    fake.failNext('views.open', { kind: 'error', error: 'expired_trigger_id' });
    const { responseUrl } = await clickStatusButton(fake, h, OPEN_WINDOW_ACTION);
    await fake.waitFor(() => fake.responses.length === 1);
    expect(responseUrl.endsWith(`/response/${fake.responses[0]?.id ?? ''}`)).toBe(true);
    expect(fake.responses[0]?.body['text']).toMatch(/^Could not open the form \(Slack answered expired_trigger_id\)/);
  });

  it('a valid submission requests the window; the modal closes and the user gets the reply privately', async () => {
    const { fake, h } = await setup();
    const view = await openForm(fake, h);
    const reason = 'CVE-2026-1234 "regreSSHion" & <kernel> it\'s';
    const sent = await submit(h, view, { duration: '2h', start: '22:00', concurrency: '2', nodes: 'agentpool in (user, system)', reason });
    // An empty 200 closes the modal.
    expect(sent).toMatchObject({ status: 200, text: '' });

    const live = await h.repositories.windows.listLive();
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ id: 1, state: 'requested', concurrency: 2, nodeSelector: 'agentpool in (user, system)', reason, requestedBy: `slack:${ALICE_ID}` });
    // 22:00 in the default zone (Europe/Zurich, UTC+1 in November), for two hours.
    expect(live[0]?.start.toISOString()).toBe('2026-11-25T21:00:00.000Z');
    expect(live[0]?.end.toISOString()).toBe('2026-11-25T23:00:00.000Z');

    await fake.waitFor(() => fake.ephemerals.length === 1);
    expect(fake.ephemerals[0]).toMatchObject({ channel: FAKE_CHANNEL, user: ALICE_ID, text: expect.stringMatching(/^Requested window #1 /) as unknown });
    // The request is public like a typed one: its card goes to the channel through the outbox.
    await h.deliver();
    expect(fake.topLevel().some((message) => message.text.includes('Maintenance window #1: requested'))).toBe(true);
    const audit = await h.repositories.audit.list({ action: 'window.requested' });
    expect(audit.map((entry) => entry.actor)).toEqual([`slack:${ALICE_ID}`]);
  });

  it('hands the engine the shared grammar\'s text, quoted so that it reads back as entered', async () => {
    const inbound = new RecordingInbound();
    const { fake, h } = await setup({ inbound });
    const view = await openForm(fake, h);
    expect((await submit(h, view, { duration: '90m', start: 'now', reason: 'kernel "6.1" update' })).text).toBe('');
    expect((await submit(h, view, { duration: '1h 30m', start: 'at 2026-12-08 14:00 Europe/Zurich', concurrency: '3', nodes: 'kubernetes.io/os=linux' })).text).toBe('');
    expect(inbound.commands.map((call) => call.text)).toEqual([
      'open 90m --reason “kernel "6.1" update”',
      'open 1h 30m at 2026-12-08 14:00 Europe/Zurich --concurrency 3 --nodes "kubernetes.io/os=linux"',
    ]);
    expect(inbound.commands[0]?.actor).toEqual({ id: `slack:${ALICE_ID}`, displayName: ALICE_ID.toLowerCase() });
    await fake.waitFor(() => fake.ephemerals.length === 2);
    expect(fake.ephemerals.map((answer) => answer['user'])).toEqual([ALICE_ID, ALICE_ID]);
  });

  it('an invalid duration keeps the modal open with an error under the duration and stores nothing', async () => {
    const { fake, h } = await setup();
    const view = await openForm(fake, h);
    const sent = await submit(h, view, { duration: 'soon', reason: 'kernel' });
    expect(sent.status).toBe(200);
    const errors = errorsOf(sent);
    expect(Object.keys(errors)).toEqual(['duration']);
    expect(errors['duration']).toMatch(/duration|2h/);
    expect(await h.repositories.windows.listLive()).toEqual([]);
    expect(await h.repositories.audit.list({ action: 'window.requested' })).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.ephemerals).toEqual([]);
    expect(fake.responses).toEqual([]);
  });

  it('checks every input on the server and never calls the engine with invalid input', async () => {
    const inbound = new RecordingInbound();
    const { fake, h } = await setup({ inbound });
    const view = await openForm(fake, h);
    const everythingWrong = errorsOf(
      await submit(h, view, { duration: '2h --reason x', start: '22:00 --nodes a', concurrency: '0', nodes: 'app=a" --reason "b', reason: 'two\nlines' }),
    );
    expect(Object.keys(everythingWrong).sort()).toEqual(['concurrency', 'duration', 'nodes', 'reason', 'start']);
    expect(everythingWrong['concurrency']).toBe('a whole number from 1 to 100');
    expect(everythingWrong['reason']).toBe('one line of text, without control characters');

    const cases: [Form, string][] = [
      [{ duration: '' }, 'duration'],
      [{ duration: '8d' }, 'duration'],
      [{ duration: '2h', start: 'tomorrow-ish' }, 'start'],
      [{ duration: '2h', start: '25:00' }, 'start'],
      [{ duration: '2h', concurrency: '1.5' }, 'concurrency'],
      [{ duration: '2h', concurrency: '101' }, 'concurrency'],
      [{ duration: '2h', nodes: 'app in (a' }, 'nodes'],
      [{ duration: '2h', nodes: 'x'.repeat(301) }, 'nodes'],
      [{ duration: '2h', reason: 'r'.repeat(201) }, 'reason'],
      [{ duration: '2h', reason: '--concurrency 50' }, 'reason'],
      [{ duration: '2h', reason: 'bidi \u202e override' }, 'reason'],
      [{ duration: '2h', reason: `"”'’“ all quotes` }, 'reason'],
    ];
    for (const [form, block] of cases) {
      const errors = errorsOf(await submit(h, view, form));
      expect(Object.keys(errors), JSON.stringify(form)).toEqual([block]);
    }
    expect(inbound.commands).toEqual([]);
    expect(fake.ephemerals).toEqual([]);
  });

  it('shows an engine refusal (overlap, past start) under the input it concerns; the modal stays open', async () => {
    const { fake, h } = await setup();
    const responseUrl = fake.responseUrl();
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'open 1h', userId: BOB_ID, responseUrl }));
    await fake.waitFor(() => fake.responses.length === 1);
    const view = await openForm(fake, h);

    const overlap = errorsOf(await submit(h, view, { duration: '2h', reason: 'kernel' }));
    expect(overlap).toEqual({ duration: expect.stringMatching(/^overlaps window #1 \(.*\); close or cancel it first$/) as unknown });

    const past = errorsOf(await submit(h, view, { duration: '2h', start: '2026-11-24T10:00:00Z' }));
    expect(past).toEqual({ start: '2026-11-24T10:00:00.000Z is in the past; give a later start' });

    expect((await h.repositories.windows.listLive()).map((window) => window.id)).toEqual([1]);
    expect(fake.ephemerals).toEqual([]);
  });

  it('closes the form anyway when the engine is slower than Slack waits, and answers privately later', async () => {
    const inbound = new RecordingInbound(2800);
    const { fake, h } = await setup({ inbound });
    const view = await openForm(fake, h);
    const sent = await submit(h, view, { duration: '2h' });
    expect(sent).toMatchObject({ status: 200, text: '' });
    expect(sent.ms).toBeLessThan(2900);
    expect(fake.ephemerals).toEqual([]);
    await fake.waitFor(() => fake.ephemerals.length === 1);
    expect(fake.ephemerals[0]).toMatchObject({ channel: FAKE_CHANNEL, user: ALICE_ID, text: 'done: open 2h' });
  });

  it('refuses a signed submission without a user (400) and answers one without state with a form error (never a 500)', async () => {
    const inbound = new RecordingInbound();
    const { fake, h } = await setup({ inbound });
    const view = await openForm(fake, h);
    const payload = viewSubmissionPayload({ view: view.view, viewId: view.id, values: values({ duration: '2h' }), userId: ALICE_ID });
    const withoutUser = { ...payload, user: undefined };
    const withoutState = { ...payload, view: { ...(payload['view'] as Record<string, unknown>), state: undefined } };
    const sent = [
      await postSigned(h.eventsUrl, `payload=${encodeURIComponent(JSON.stringify(withoutUser))}`),
      await postSigned(h.eventsUrl, `payload=${encodeURIComponent(JSON.stringify(withoutState))}`),
    ];
    expect(sent.map((answer) => answer.status)).toEqual([400, 200]);
    expect(JSON.parse(sent[1]?.text ?? '{}')).toMatchObject({ response_action: 'errors' });
    expect(inbound.commands).toEqual([]);
    expect(fake.ephemerals).toEqual([]);
  });

  it('refuses a submission with a forged signature with 401 and no effect', async () => {
    const inbound = new RecordingInbound();
    const { fake, h } = await setup({ inbound });
    const view = await openForm(fake, h);
    const body = viewSubmissionBody({ view: view.view, viewId: view.id, values: values({ duration: '2h' }), userId: ALICE_ID });
    const forgeries = [
      await postSigned(h.eventsUrl, body, { secret: 'not-the-signing-secret' }),
      await postSigned(h.eventsUrl, body, { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' }),
      await postSigned(h.eventsUrl, body.replace('2h', '9h'), { signature: signedHeaders(body)['X-Slack-Signature'] ?? '' }),
    ];
    expect(forgeries.map((sent) => sent.status)).toEqual([401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(inbound.commands).toEqual([]);
    expect(fake.ephemerals).toEqual([]);
  });

  it('refuses a form that was opened for another channel', async () => {
    const inbound = new RecordingInbound();
    const { fake, h } = await setup({ inbound });
    const view = await openForm(fake, h);
    const elsewhere = { ...view, view: { ...view.view, private_metadata: JSON.stringify({ channel: 'C0ELSEWHER' }) } };
    expect(Object.keys(errorsOf(await submit(h, elsewhere, { duration: '2h' })))).toEqual(['duration']);
    expect(inbound.commands).toEqual([]);
  });

  it('works the same over Socket Mode: the refusal travels in the envelope\'s ack', async () => {
    const { fake, h } = await setup({ appToken: FAKE_APP_TOKEN });
    await fake.sendEnvelope('interactive', blockActionsPayload({ actionId: OPEN_WINDOW_ACTION, value: 'open', userId: ALICE_ID, responseUrl: fake.responseUrl(), ephemeral: true }));
    await fake.waitFor(() => fake.views.length === 1);
    const view = fake.views[0];
    if (view === undefined) throw new Error('no modal');
    const bad = await fake.sendEnvelope('interactive', viewSubmissionPayload({ view: view.view, viewId: view.id, values: values({ duration: 'forever' }), userId: ALICE_ID }));
    expect(bad.payload).toMatchObject({ response_action: 'errors', errors: { duration: expect.any(String) as unknown } });
    const good = await fake.sendEnvelope('interactive', viewSubmissionPayload({ view: view.view, viewId: view.id, values: values({ duration: '1h' }), userId: ALICE_ID }));
    // A plain ack (no response_action) closes the modal.
    expect(good.payload ?? {}).toEqual({});
    expect((await h.repositories.windows.listLive()).map((window) => window.requestedBy)).toEqual([`slack:${ALICE_ID}`]);
    await fake.waitFor(() => fake.ephemerals.length === 1);
  });
});

describe('Share in channel', () => {
  it('posts the current status to the channel once and tells the user it was shared', async () => {
    const { fake, h } = await setup();
    await status(fake, h);
    const trigger = triggerId();
    const { responseUrl } = await clickStatusButton(fake, h, SHARE_STATUS_ACTION, BOB_ID, trigger);
    await fake.waitFor(() => fake.responses.some((response) => responseUrl.endsWith(`/response/${response.id}`)));
    // Slack delivering the same click again changes nothing.
    await postSigned(h.eventsUrl, blockActionsBody({ actionId: SHARE_STATUS_ACTION, value: 'status', userId: BOB_ID, responseUrl, triggerId: trigger, ephemeral: true }), { headers: { 'X-Slack-Retry-Num': '1' } });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const shared = sharedPosts(fake);
    expect(shared).toHaveLength(1);
    expect(shared[0]?.channel).toBe(FAKE_CHANNEL);
    expect(shared[0]?.text).toContain(`Status shared by <@${BOB_ID}>:`);
    expect(shared[0]?.text).toContain('No window is open or planned.');
    expect(JSON.stringify(shared[0]?.blocks)).toContain('Reboot daemon: not deployed');
    expect(JSON.stringify(shared[0]?.blocks)).not.toContain('"actions"');
    expect(fake.responses.filter((response) => responseUrl.endsWith(`/response/${response.id}`)).map((response) => response.body['text'])).toEqual([
      'Shared the current status in the channel.',
    ]);
  });

  it('shares the status as it is now, not as it was when the answer was shown', async () => {
    const { fake, h } = await setup();
    await status(fake, h);
    const responseUrl = fake.responseUrl();
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl }));
    await fake.waitFor(() => fake.responses.length === 2);
    await clickStatusButton(fake, h, SHARE_STATUS_ACTION);
    await fake.waitFor(() => sharedPosts(fake).length === 1);
    expect(sharedPosts(fake)[0]?.text).toMatch(/Window #1 requested/);
  });

  it('waits its turn behind the outbox\'s posts: at most one post a second, no 429', async () => {
    const { fake, h } = await setup({ fakePostIntervalMs: 1000, minPostIntervalMs: 1000 });
    const responseUrl = fake.responseUrl();
    await postSigned(h.eventsUrl, slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl }));
    await fake.waitFor(() => fake.responses.length === 1);
    await h.deliver();
    await clickStatusButton(fake, h, SHARE_STATUS_ACTION, BOB_ID);
    await fake.waitFor(() => fake.responses.length === 2, 5000);
    // The digest of waiting nodes (posted at start), the window's card, then the shared status.
    const posts = fake.callsTo('chat.postMessage');
    expect(posts.map((call) => call.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(String(posts[1]?.args['text'])).toContain('Maintenance window #1');
    expect(String(posts[2]?.args['text'])).toContain('Status shared by');
    for (let index = 1; index < posts.length; index++) expect((posts[index]?.at ?? 0) - (posts[index - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(fake.rateLimited).toBe(0);
  });

  it('tells the user when Slack refuses the post', async () => {
    const { fake, h } = await setup();
    fake.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    const { responseUrl } = await clickStatusButton(fake, h, SHARE_STATUS_ACTION);
    await fake.waitFor(() => fake.responses.some((response) => responseUrl.endsWith(`/response/${response.id}`)));
    expect(fake.responses[0]?.body['text']).toBe('Could not share the status: chat.postMessage: Slack answered not_in_channel');
    expect(sharedPosts(fake)).toEqual([]);
  });
});

describe('reading the form', () => {
  const read = (form: Form): ReturnType<typeof readOpenWindowForm> => readOpenWindowForm(values(form));

  it('quotes the reason and selector with a mark they do not contain, so the grammar reads them back exactly', () => {
    const reasons = ['plain', 'say "hi"', 'it’s “quoted” and "double"', `mixed "'’ but no low-9`, 'ends with a quote"', 'at 22:00 --concurrency 9'];
    for (const reason of reasons) {
      const result = read({ duration: '2h', reason, nodes: 'app!=web' });
      expect(result.ok, reason).toBe(true);
      if (!result.ok) continue;
      const parsed = parseCommand(result.text, { defaultZone: 'UTC' });
      expect(parsed).toMatchObject({ ok: true, command: { kind: 'open', minutes: 120, reason, nodeSelector: 'app!=web', start: { kind: 'now' } } });
    }
  });

  it('ignores missing blocks and values of an unexpected type as empty', () => {
    expect(readOpenWindowForm({ duration: { value: { type: 'plain_text_input', value: ' 45m ' } } })).toEqual({ ok: true, text: 'open 45m' });
    expect(readOpenWindowForm({})).toMatchObject({ ok: false, errors: { duration: expect.any(String) as unknown } });
  });
});
