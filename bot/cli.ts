#!/usr/bin/env node
// The `patchwindow` command. Each subcommand lives in bot/commands/; this file only routes.
import { Command } from 'commander';
import { runBotCommand } from './commands/bot-command.ts';
import { reportStartupFailure } from './commands/startup-failure.ts';
import { VERSION } from './version.ts';

const program = new Command('patchwindow')
  .description('Chat-ops for Kubernetes node reboots: approved maintenance windows, kured only inside them.')
  .version(VERSION, '-V, --version', 'print the version')
  .helpCommand(true)
  .showHelpAfterError();

program
  .command('bot')
  .description('run the bot: HTTP server (health, metrics), database, and the adapters that are configured')
  .option('-c, --config <file>', 'YAML configuration file (default: ./patchwindow.yaml when present, or $PATCHWINDOW_CONFIG)')
  .action(async (options: { config?: string }) => {
    await runBotCommand({ configPath: options.config, env: process.env, cwd: process.cwd() });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportStartupFailure(error, process.stderr);
});
