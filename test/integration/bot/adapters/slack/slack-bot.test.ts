// The composition root with Slack configured: Slack replaces the web console as the chat platform
// (unless PATCHWINDOW_CONSOLE=on), its route is on the bot's one HTTP server, and a Slack setup
// that cannot work stops the start with a one-line config error.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../bot/config/config-error.ts';
import { loadConfig } from '../../../../../bot/config/load-config.ts';
import { startBot } from '../../../../../bot/main.ts';
import type { RunningBot } from '../../../../../bot/main.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';
import type { CapturedLogger } from '../../../../support/capture-logger.ts';
import { FAKE_CHANNEL, FAKE_TEAM_ID, FAKE_TOKEN, FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeSlackApi;
const bots: RunningBot[] = [];

beforeEach(async () => {
  fake = await FakeSlackApi.start({ postIntervalMs: 0 });
});

afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.stop(1000).catch(() => undefined);
  await fake.close();
  dirs.removeAll();
});

function slackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATCHWINDOW_HTTP_PORT: '0',
    PATCHWINDOW_DB: join(dirs.make(), 'p.db'),
    PATCHWINDOW_APPROVERS: 'slack:U0ALICE001,slack:U0BOB00001',
    SLACK_BOT_TOKEN: FAKE_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PATCHWINDOW_SLACK_CHANNEL: FAKE_CHANNEL,
    PATCHWINDOW_SLACK_API_URL: fake.apiUrl,
    PATCHWINDOW_SLACK_TEAM_ID: FAKE_TEAM_ID,
    ...extra,
  };
}

async function boot(env: Record<string, string>, log: CapturedLogger = captureLogger('debug')): Promise<{ bot: RunningBot; base: string; log: CapturedLogger }> {
  const config = loadConfig({ env, cwd: dirs.make() });
  const bot = await startBot({ config, logger: log.logger, version: '0.0.0-test', now: () => new Date() });
  bots.push(bot);
  return { bot, base: `http://127.0.0.1:${bot.http.port}`, log };
}

describe('the bot with SLACK_BOT_TOKEN', () => {
  it('takes slash commands at POST /slack/events on its own server, posts to the channel, and serves no console', async () => {
    const { base, log } = await boot(slackEnv());
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/slack/events`)).status).toBe(405);

    const sent = await postSigned(`${base}/slack/events`, slashCommandBody({ text: 'open 1h', userId: 'U0ALICE001', userName: 'alice', responseUrl: fake.responseUrl() }));
    expect(sent.status).toBe(200);
    await fake.waitFor(() => fake.responses.length === 1);
    expect(fake.responses[0]?.body['text']).toMatch(/^Requested window #1 /);
    await fake.waitFor(() => fake.topLevel().some((message) => message.text.includes('Maintenance window #1: requested')), 5000, 'the window card');

    expect(log.text()).toContain('Slack ready: requests at POST /slack/events');
    expect(log.text()).not.toContain(FAKE_TOKEN);
    expect(log.text()).not.toContain(SIGNING_SECRET);
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('reads a Slack user group named among the approvers at start, and a member of it approves', async () => {
    fake.userGroups.set('S0ONCALL01', ['U0CAROL001']);
    const { base } = await boot(slackEnv({ PATCHWINDOW_APPROVERS: 'slack:U0ALICE001,slack-group:S0ONCALL01' }));
    expect(fake.callsTo('usergroups.users.list').map((call) => call.args['usergroup'])).toEqual(['S0ONCALL01']);
    const request = fake.responseUrl();
    expect((await postSigned(`${base}/slack/events`, slashCommandBody({ text: 'open 1h', userId: 'U0ALICE001', userName: 'alice', responseUrl: request }))).status).toBe(200);
    await fake.waitFor(() => fake.responses.some((response) => request.endsWith(`/response/${response.id}`)));
    const approval = fake.responseUrl();
    expect((await postSigned(`${base}/slack/events`, slashCommandBody({ text: 'approve 1', userId: 'U0CAROL001', userName: 'carol', responseUrl: approval }))).status).toBe(200);
    await fake.waitFor(() => fake.responses.some((response) => approval.endsWith(`/response/${response.id}`)));
    expect(fake.responses.find((response) => approval.endsWith(`/response/${response.id}`))?.body['text']).toBe('You approved window #1.');
  });

  it('keeps the web console as the chat platform when PATCHWINDOW_CONSOLE=on, and says Slack is not connected', async () => {
    const { base, log } = await boot(slackEnv({ PATCHWINDOW_CONSOLE: 'on' }));
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await postSigned(`${base}/slack/events`, slashCommandBody({ text: 'status', userId: 'U0ALICE001', responseUrl: fake.responseUrl() }))).status).toBe(404);
    expect(log.text()).toContain('PATCHWINDOW_CONSOLE=on: the web console is the chat platform and Slack is not connected');
    expect(fake.calls).toEqual([]);
  });

  it('stops the start with a config error for a Slack setup that cannot work', async () => {
    const noChannel = slackEnv();
    delete noChannel['PATCHWINDOW_SLACK_CHANNEL'];
    await expect(boot(noChannel)).rejects.toThrow(new ConfigError('SLACK_BOT_TOKEN is set, so PATCHWINDOW_SLACK_CHANNEL is required: expected a Slack channel id such as C0123456789'));
    const noSecret = slackEnv();
    delete noSecret['SLACK_SIGNING_SECRET'];
    await expect(boot(noSecret)).rejects.toThrow(/Slack over HTTP \(no SLACK_APP_TOKEN\) needs SLACK_SIGNING_SECRET/);
    await expect(boot(slackEnv({ SLACK_BOT_TOKEN: 'xoxb-revoked' }))).rejects.toThrow(new ConfigError('SLACK_BOT_TOKEN was refused by Slack (auth.test: invalid_auth): expected a valid bot token of the app'));
    await expect(boot(slackEnv({ PATCHWINDOW_SLACK_TEAM_ID: 'T0ANOTHER1' }))).rejects.toThrow(ConfigError);
    // A failed start lets go of the database: the next start on the same file works.
    const env = slackEnv();
    await expect(boot({ ...env, SLACK_BOT_TOKEN: 'xoxb-revoked' })).rejects.toThrow(ConfigError);
    await boot(env);
  });
});
