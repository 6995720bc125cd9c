// A real `patchwindow bot` process for the benchmarks: Slack in HTTP mode against the fake Slack
// Web API (PATCHWINDOW_SLACK_API_URL), signed requests at POST /slack/events, on a free loopback
// port, with its own database, logging JSON at the shipped level (info). Started through the
// cluster harness's process supervisor, so it dies with the bench process however that ends.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FAKE_CHANNEL, FAKE_TOKEN } from '../support/fake-slack-api.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { ALICE_ID, BOB_ID } from '../support/slack-harness.ts';
import { SIGNING_SECRET } from '../support/slack-requests.ts';
import type { ManagedProcess, ProcessExit, ProcessSupervisor } from '../cluster/harness/processes.ts';
import { REPO_ROOT } from '../cluster/harness/tools.ts';

const CLI = path.join(REPO_ROOT, 'bot', 'cli.ts');

export interface BotProcessOptions {
  readonly supervisor: ProcessSupervisor;
  /** The bot's own directory: cwd, HOME, database and log. */
  readonly dir: string;
  readonly fake: FakeSlackApi;
  /** Cluster settings and anything else, e.g. PATCHWINDOW_CLUSTER=sim with PATCHWINDOW_SIM_NODES. */
  readonly env: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly startTimeoutMs?: number;
}

export interface BotProcess {
  readonly process: ManagedProcess;
  /** The node process itself (setpriv execs it). */
  readonly pid: number;
  readonly eventsUrl: string;
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Settings from the bench's own environment must not leak into the bot: empty counts as unset. */
function blankedSettings(): Record<string, string> {
  return Object.fromEntries(Object.keys(process.env).filter((key) => /^(PATCHWINDOW_|SLACK_|Microsoft)/.test(key) || key === 'KUBECONFIG').map((key) => [key, '']));
}

export async function startBotProcess(options: BotProcessOptions): Promise<BotProcess> {
  const { dir, fake } = options;
  mkdirSync(dir, { recursive: true });
  const name = options.name ?? 'patchwindow-bot';
  const proc = options.supervisor.start(name, process.execPath, [CLI, 'bot'], {
    logFile: path.join(dir, `${name}.log`),
    cwd: dir, // no patchwindow.yaml here
    env: {
      ...blankedSettings(),
      HOME: dir,
      PATCHWINDOW_DB: path.join(dir, 'patchwindow.db'),
      PATCHWINDOW_HTTP_HOST: '127.0.0.1',
      PATCHWINDOW_HTTP_PORT: '0',
      PATCHWINDOW_LOG_FORMAT: 'json',
      PATCHWINDOW_LOG_LEVEL: 'info',
      PATCHWINDOW_DEFAULT_ZONE: 'UTC',
      PATCHWINDOW_APPROVERS: `slack:${ALICE_ID},slack:${BOB_ID}`,
      SLACK_BOT_TOKEN: FAKE_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PATCHWINDOW_SLACK_CHANNEL: FAKE_CHANNEL,
      PATCHWINDOW_SLACK_API_URL: fake.apiUrl,
      ...options.env,
    },
  });
  let listening: string;
  try {
    listening = await proc.waitForOutput(/"msg":"HTTP server listening"/, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await proc.stop(1000);
    throw new Error(`the bot did not start; its output:\n${proc.output().slice(-3000)}`, { cause: error });
  }
  const port = (JSON.parse(listening) as { port?: unknown }).port;
  if (typeof port !== 'number') throw new Error(`the bot logged no port: ${listening}`);
  return {
    process: proc,
    pid: proc.pid,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    stop: (graceMs = 10_000) => proc.stop(graceMs),
  };
}
