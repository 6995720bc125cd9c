// The composition root with Teams configured: Teams replaces the web console as the chat platform
// (unless PATCHWINDOW_CONSOLE=on), its route is on the bot's one HTTP server, the unauthenticated
// local-testing mode says so and runs on loopback only, and a Teams setup that cannot work stops
// the start with a one-line config error.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../bot/config/config-error.ts';
import { loadConfig } from '../../../../../bot/config/load-config.ts';
import { startBot } from '../../../../../bot/main.ts';
import type { RunningBot } from '../../../../../bot/main.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';
import type { CapturedLogger } from '../../../../support/capture-logger.ts';
import { cardText, FakeBotConnector } from '../../../../support/fake-bot-connector.ts';
import { FAKE_CHANNEL, FAKE_TOKEN } from '../../../../support/fake-slack-api.ts';
import { ALICE, channelMention, GENERAL_CHANNEL, installedInTeam, postActivity, TEAMS_APP_ID, TENANT_ID } from '../../../../support/teams-activities.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeBotConnector;
const bots: RunningBot[] = [];
const SECRET = 'Qx~8Q~not.a.real.client.secret-1234';

beforeEach(async () => {
  fake = await FakeBotConnector.start();
});

afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.stop(1000).catch(() => undefined);
  await fake.close();
  dirs.removeAll();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATCHWINDOW_HTTP_PORT: '0',
    PATCHWINDOW_DB: join(dirs.make(), 'p.db'),
    PATCHWINDOW_APPROVERS: `teams:${ALICE.aadObjectId}`,
    PATCHWINDOW_CLUSTER: 'sim',
    ...extra,
  };
}

async function boot(variables: Record<string, string>, log: CapturedLogger = captureLogger('debug')): Promise<{ bot: RunningBot; base: string; log: CapturedLogger }> {
  const config = loadConfig({ env: variables, cwd: dirs.make() });
  const bot = await startBot({ config, logger: log.logger, version: '0.0.0-test', now: () => new Date() });
  bots.push(bot);
  return { bot, base: `http://127.0.0.1:${bot.http.port}`, log };
}

describe('the bot with Teams', () => {
  it('PATCHWINDOW_TEAMS=on without an app id: unauthenticated on loopback, says so, takes activities at POST /api/messages and posts to the bound channel', async () => {
    // No pending-reboot digest at start: it would wait for a binding (the harness tests cover that).
    const { base, log } = await boot(env({ PATCHWINDOW_TEAMS: 'on', PATCHWINDOW_SIM_PENDING: '0' }));
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/api/messages`)).status).toBe(405);
    expect(log.text()).toContain('TEAMS WITHOUT AUTHENTICATION');
    expect(log.text()).toContain('Teams ready: requests at POST /api/messages; not bound to a conversation yet');

    expect((await postActivity(`${base}/api/messages`, installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
    const open = channelMention(ALICE, 'open 1h', { serviceUrl: fake.serviceUrl });
    expect((await postActivity(`${base}/api/messages`, open)).status).toBe(200);
    expect(cardText(fake.replies(String(open['id']))[0]?.activity)).toMatch(/^Requested window #1 /);
    await fake.waitFor(() => fake.topLevel(GENERAL_CHANNEL).some((message) => String(message.activity['summary']).includes('Maintenance window #1: requested')), 5000, 'the window card');
  });

  it('refuses the unauthenticated mode on a non-loopback address', async () => {
    await expect(boot(env({ PATCHWINDOW_TEAMS: 'on', PATCHWINDOW_HTTP_HOST: '0.0.0.0' }))).rejects.toThrow(
      new ConfigError(
        'PATCHWINDOW_TEAMS=on without MicrosoftAppId runs Teams unauthenticated (for local testing only), so PATCHWINDOW_HTTP_HOST=0.0.0.0 must be a loopback address: ' +
          'expected 127.0.0.1 or localhost, or set MicrosoftAppId and MicrosoftAppPassword of the Azure bot registration',
      ),
    );
  });

  it('with MicrosoftAppId: checks tokens (401 without one), serves no console, and never logs the client secret', async () => {
    const { base, log } = await boot(env({ MicrosoftAppId: TEAMS_APP_ID, MicrosoftAppPassword: SECRET, MicrosoftAppTenantId: TENANT_ID, PATCHWINDOW_HTTP_HOST: '0.0.0.0' }));
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await postActivity(`${base}/api/messages`, installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(401);
    expect(fake.calls).toEqual([]);
    expect(log.text()).not.toContain('TEAMS WITHOUT AUTHENTICATION');
    expect(log.text()).toContain('Teams ready: requests at POST /api/messages');
    expect(log.text()).not.toContain(SECRET);
  });

  it('keeps the web console when PATCHWINDOW_CONSOLE=on or PATCHWINDOW_TEAMS=off, and warns when no approver is a Teams user', async () => {
    const consoleOn = await boot(env({ PATCHWINDOW_TEAMS: 'on', PATCHWINDOW_CONSOLE: 'on' }));
    expect((await fetch(`${consoleOn.base}/`)).status).toBe(200);
    expect((await fetch(`${consoleOn.base}/api/messages`, { method: 'POST' })).status).toBe(404);
    expect(consoleOn.log.text()).toContain('Teams is configured, but PATCHWINDOW_CONSOLE=on');

    const teamsOff = await boot(env({ MicrosoftAppId: TEAMS_APP_ID, MicrosoftAppPassword: SECRET, MicrosoftAppTenantId: TENANT_ID, PATCHWINDOW_TEAMS: 'off' }));
    expect((await fetch(`${teamsOff.base}/`)).status).toBe(200);
    expect(teamsOff.log.text()).toContain('MicrosoftAppId is set, but PATCHWINDOW_TEAMS=off');

    const noApprover = await boot(env({ PATCHWINDOW_TEAMS: 'on', PATCHWINDOW_APPROVERS: 'console:alice' }));
    expect(noApprover.log.text()).toContain('no approver is a Teams user');
  });

  it('stops the start with a config error for a Teams setup that cannot work', async () => {
    const teams = { MicrosoftAppId: TEAMS_APP_ID, MicrosoftAppPassword: SECRET, MicrosoftAppTenantId: TENANT_ID };
    const noSecret = env(teams);
    delete noSecret['MicrosoftAppPassword'];
    await expect(boot(noSecret)).rejects.toThrow(
      new ConfigError('MicrosoftAppId is set with MicrosoftAppType=SingleTenant, so MicrosoftAppPassword is required: expected the client secret of the app registration'),
    );
    const noTenant = env(teams);
    delete noTenant['MicrosoftAppTenantId'];
    await expect(boot(noTenant)).rejects.toThrow(/MicrosoftAppType=SingleTenant, so MicrosoftAppTenantId is required/);
    await expect(boot(env({ ...teams, MicrosoftAppType: 'UserAssignedMSI' }))).rejects.toThrow(/UserAssignedMSI uses the managed identity, so MicrosoftAppPassword must not be set/);
    const multiTenant = env({ ...teams, MicrosoftAppType: 'MultiTenant' });
    delete multiTenant['MicrosoftAppTenantId'];
    await boot(multiTenant);
    await expect(boot(env({ ...teams, SLACK_BOT_TOKEN: FAKE_TOKEN, PATCHWINDOW_SLACK_CHANNEL: FAKE_CHANNEL, SLACK_SIGNING_SECRET: 'x'.repeat(32) }))).rejects.toThrow(
      /SLACK_BOT_TOKEN and Teams \(MicrosoftAppId or PATCHWINDOW_TEAMS=on\) are both set/,
    );
  });

  it('keeps the binding across a restart', async () => {
    const variables = env({ PATCHWINDOW_TEAMS: 'on' });
    const first = await boot(variables);
    expect((await postActivity(`${first.base}/api/messages`, installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
    await first.bot.stop(1000);
    bots.splice(0);
    const second = await boot(variables);
    expect(second.log.text()).toContain('Teams ready: requests at POST /api/messages');
    expect(second.log.lines().find((line) => line['msg'] === 'Teams ready: requests at POST /api/messages')?.['conversation']).toBe(GENERAL_CHANNEL);
  });
});
