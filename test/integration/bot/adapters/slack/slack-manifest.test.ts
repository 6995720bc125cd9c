// manifests/slack-app.yaml matches what the adapter does: its command is the default command,
// requests go to /slack/events, Socket Mode is on, and it asks only for the scopes in use.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS_PATH } from '../../../../../bot/adapters/slack/slack-adapter.ts';
import { settings } from '../../../../../bot/config/settings.ts';

interface Manifest {
  features: { slash_commands: { command: string; url: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean; event_subscriptions?: unknown };
}

const manifest = parse(readFileSync(new URL('../../../../../manifests/slack-app.yaml', import.meta.url), 'utf8')) as Manifest;

describe('the Slack app manifest', () => {
  it('defines the default slash command and sends it and the buttons to /slack/events', () => {
    expect(manifest.features.slash_commands.map((command) => command.command)).toEqual([settings['slack.command'].defaultValue]);
    expect(manifest.features.slash_commands[0]?.should_escape).toBe(false);
    expect(new URL(manifest.features.slash_commands[0]?.url ?? '').pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
  });

  it('enables Socket Mode and asks only for chat:write and commands', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['chat:write', 'commands']);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    expect(manifest.settings.event_subscriptions).toBeUndefined();
  });
});
