#!/usr/bin/env node
// The `patchwindow` command. Each subcommand lives in bot/commands/; this file only routes.
// Subcommands are imported when they run: `patchwindow agent` or `reap` then never loads the
// bot's chat SDKs and engine (tens of MiB of resident memory on every node).
import { Command } from 'commander';
import type { KuredManifestsOptions } from './commands/manifests-command.ts';
import type { PreviewOptions } from './commands/schedule-preview-command.ts';
import type { ReapCliOptions } from './commands/reap-command.ts';
import { reportStartupFailure } from './commands/startup-failure.ts';
import { VERSION } from './version.ts';

const program = new Command('patchwindow')
  .description('Chat-ops for Kubernetes node reboots: approved maintenance windows, kured only inside them.')
  .version(VERSION, '-V, --version', 'print the version')
  .helpCommand(true)
  .enablePositionalOptions()
  .showHelpAfterError();

const CONFIG_OPTION_HELP = 'YAML configuration file (default: ./patchwindow.yaml when present, or $PATCHWINDOW_CONFIG)';

program
  .command('bot')
  .description('run the bot: HTTP server (health, metrics), database, and the adapters that are configured')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(async (options: { config?: string }) => {
    const { runBotCommand } = await import('./commands/bot-command.ts');
    await runBotCommand({ configPath: options.config, env: process.env, cwd: process.cwd() });
  });

program
  .command('agent')
  .description('run the node agent: detect a pending reboot on this node and report it on its Node object (needs NODE_NAME)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(async (options: { config?: string }) => {
    const { runAgentCommand } = await import('./commands/agent-command.ts');
    await runAgentCommand({ configPath: options.config, env: process.env, cwd: process.cwd() });
  });

program
  .command('schedule')
  .description('work with schedule specs')
  .command('preview')
  .description('print the windows a schedule spec produces, ordered by start')
  .argument('<spec>', 'the schedule, e.g. "every 2nd tue 14:00-17:00 Europe/Zurich" (quoted)')
  .option('--from <instant>', 'ISO 8601 instant with offset; windows ending after it (default: now)')
  .option('--count <n>', 'how many windows (default 5, at most 10000)')
  .option('--json', 'print exactly a JSON array of {"start","end"}')
  .option('--with-skips', 'leave out windows that overlap the blackout dates stored in the database')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(async (spec: string, options: PreviewOptions & { config?: string }) => {
    const io = { stdout: process.stdout, stderr: process.stderr, now: new Date() };
    const { runSchedulePreview } = await import('./commands/schedule-preview-command.ts');
    process.exitCode = await runSchedulePreview(spec, options, { configPath: options.config, env: process.env, cwd: process.cwd() }, io);
  });

program
  .command('manifests')
  .description('print the Kubernetes resources patchwindow applies')
  .command('kured')
  .description('print the kured resources (YAML) the bot applies for a window: built-in manifests, kured narrowed to the window')
  .requiredOption('--start <instant>', 'window start, ISO 8601 with offset, e.g. 2026-03-07T22:00:00+01:00')
  .requiredOption('--end <instant>', 'window end (exclusive), ISO 8601 with offset')
  .option('--zone <zone>', "IANA time zone kured's window is written in (default: PATCHWINDOW_DEFAULT_ZONE)")
  .option('--concurrency <n>', 'nodes rebooting at once (default: PATCHWINDOW_CONCURRENCY)')
  .option('--nodes <selector>', 'label selector limiting the nodes kured runs on')
  .option('--window <id>', 'window number for the patchwindow.dev/window label (default 0)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(async (options: KuredManifestsOptions & { config?: string }) => {
    const { runKuredManifests } = await import('./commands/manifests-command.ts');
    process.exitCode = runKuredManifests(options, { configPath: options.config, env: process.env, cwd: process.cwd() }, { stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('reap')
  .description("the safety net (run by the Job the bot creates with kured): at --at, remove kured if it is still there and belongs to --window")
  .option('--namespace <ns>', "kured's namespace")
  .option('--window <id>', 'the window whose kured this removes (label patchwindow.dev/window); another window\'s kured is left alone')
  .option('--at <instant>', 'when: ISO 8601 instant with offset (the window end plus the grace)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(async (options: ReapCliOptions & { config?: string }) => {
    const { runReapCommand } = await import('./commands/reap-command.ts');
    process.exitCode = await runReapCommand(options, { configPath: options.config, env: process.env, cwd: process.cwd() }, { stderr: process.stderr });
  });

program
  .command('teams')
  .description('Microsoft Teams helpers')
  .command('package')
  .description('write the Teams app zip (manifest and icons) for your bot registration')
  .requiredOption('--app-id <guid>', "the bot registration's app id (MicrosoftAppId)")
  .option('--out <file>', 'where to write the zip (default: ./patchwindow-teams.zip)')
  .action(async (options: { appId: string; out?: string }) => {
    const { runTeamsPackage } = await import('./commands/teams-package-command.ts');
    process.exitCode = runTeamsPackage(options, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
  });

program
  .command('command')
  .description('run one chat command (schedule add, skip, …) against the database while the bot is stopped')
  .argument('<text...>', 'the command as you would type it in chat, e.g. schedule list')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .passThroughOptions()
  .action(async (words: string[], options: { config?: string }) => {
    const io = { stdout: process.stdout, stderr: process.stderr, now: () => new Date() };
    const { runChatCommand } = await import('./commands/chat-command.ts');
    process.exitCode = await runChatCommand(words.join(' '), { configPath: options.config, env: process.env, cwd: process.cwd() }, io);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportStartupFailure(error, process.stderr);
});
