// ack_p50_ms, ack_p99_ms, reply_p99_ms and bot_rss_mb_5000_nodes: a real `patchwindow bot` process
// with a simulated cluster of 5,000 nodes (1,000 pending) and Slack in HTTP mode against the fake
// Slack API. 20 users type `/patchwindow status` at once, each again as soon as their previous
// answer arrived (closed loop, as people do). ack: the signed request sent -> Slack's HTTP 200
// (Slack wants it within 3 s); reply: the request sent -> the answer posted to its response_url.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { clockTicksPerSecond, sampleProcess } from '../cluster/harness/agent.ts';
import { processSupervisor } from '../cluster/harness/processes.ts';
import { FakeSlackApi } from '../support/fake-slack-api.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import type { Figures } from './bench-report.ts';
import { startBotProcess } from './bot-process.ts';
import { distribution, median } from './percentiles.ts';

const USERS = 20;
const ROUNDS = 10;
const ALONE_ROUNDS = 20;
const RSS_SAMPLES = 5;
const NODES = 5000;
const PENDING = 1000;
const REPLY_TIMEOUT_MS = 60_000;

export const SLACK_ACK_FIGURES = {
  ack_p50_ms: { unit: 'ms' },
  ack_p99_ms: { unit: 'ms', target: 100 },
  ack_p50_ms_one_user: { unit: 'ms' },
  reply_p50_ms: { unit: 'ms' },
  reply_p99_ms: { unit: 'ms' },
  bot_rss_mb_5000_nodes: { unit: 'MiB', target: 300 },
} as const;

interface Sample {
  readonly ackMs: number;
  readonly replyMs: number;
}

export async function benchSlackAck(): Promise<Figures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchwindow-bench-ack-'));
  const supervisor = processSupervisor();
  const fake = await FakeSlackApi.start();
  try {
    const bot = await startBotProcess({
      supervisor,
      dir,
      fake,
      env: { PATCHWINDOW_CLUSTER: 'sim', PATCHWINDOW_SIM_NODES: String(NODES), PATCHWINDOW_SIM_PENDING: String(PENDING) },
    });
    const idle = sampleProcess(bot.pid);
    const statusOf = async (user: string): Promise<Sample> => {
      const responseUrl = fake.responseUrl();
      const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
      const body = slashCommandBody({ text: 'status', userId: user, responseUrl });
      const sentAt = Date.now();
      const started = performance.now();
      const ack = await postSigned(bot.eventsUrl, body);
      const ackMs = performance.now() - started;
      if (ack.status !== 200) throw new Error(`the bot answered HTTP ${ack.status} to a signed slash command: ${ack.text.slice(0, 200)}`);
      await fake.waitFor(() => fake.responses.some((response) => response.id === id), REPLY_TIMEOUT_MS, `the answer to ${user}'s status`);
      const response = fake.responses.find((candidate) => candidate.id === id);
      if (response === undefined) throw new Error('unreachable: the answer was just seen');
      const text = JSON.stringify(response.body);
      if (!text.includes(`${PENDING} node(s) need a reboot`)) throw new Error(`the status answer does not show ${PENDING} pending nodes: ${text.slice(0, 300)}`);
      return { ackMs, replyMs: response.at - sentAt };
    };
    const users = Array.from({ length: USERS }, (_, index) => `U0BENCH${String(index).padStart(3, '0')}`);
    // One untimed round first: the first request of each kind compiles code paths a running bot has warm.
    await Promise.all(users.map((user) => statusOf(user)));
    // The same request from one user at a time: what an ack costs without anyone else's work queued.
    const alone: Sample[] = [];
    for (let round = 0; round < ALONE_ROUNDS; round++) alone.push(await statusOf(users[0] ?? ''));
    const samples: Sample[] = [];
    const before = sampleProcess(bot.pid);
    const started = performance.now();
    await Promise.all(
      users.map(async (user) => {
        for (let round = 0; round < ROUNDS; round++) samples.push(await statusOf(user));
      }),
    );
    const loadSeconds = (performance.now() - started) / 1000;
    const loaded = sampleProcess(bot.pid);
    const cpuMsPerRequest = ((loaded.cpuTicks - before.cpuTicks) / clockTicksPerSecond() / samples.length) * 1000;
    // RSS moves with every GC: a few samples a second apart after the load, the median quoted.
    const rss: number[] = [loaded.rssKiB / 1024];
    for (let index = 1; index < RSS_SAMPLES; index++) {
      await delay(1000); // the sampling interval itself
      rss.push(sampleProcess(bot.pid).rssKiB / 1024);
    }
    await bot.stop();
    const ack = distribution(samples.map((sample) => sample.ackMs));
    const reply = distribution(samples.map((sample) => sample.replyMs));
    const one = distribution(alone.map((sample) => sample.ackMs));
    const runs = samples.length;
    const load = `${USERS} users × ${ROUNDS} "status" each (closed loop, after 1 untimed round), ${NODES} nodes / ${PENDING} pending known, ${Math.round(runs / loadSeconds)} requests/s`;
    return {
      ack_p50_ms: { value: ack.p50, unit: 'ms', runs, note: `signed slash command -> HTTP 200 from the bot process; ${load}` },
      ack_p99_ms: {
        value: ack.p99,
        unit: 'ms',
        target: 100,
        runs,
        note: `max ${Math.round(ack.max)} ms; one event loop: an ack waits behind the other users' requests in progress (the bot spent ${cpuMsPerRequest.toFixed(1)} ms of CPU per request)`,
      },
      ack_p50_ms_one_user: { value: one.p50, unit: 'ms', runs: alone.length, note: `the same request from one user at a time (p99 ${Math.round(one.p99)} ms): the ack path itself` },
      reply_p50_ms: { value: reply.p50, unit: 'ms', runs, note: 'request sent -> answer posted to its response_url (recorded by the fake)' },
      reply_p99_ms: { value: reply.p99, unit: 'ms', runs, note: `max ${Math.round(reply.max)} ms; the engine answers one command at a time, so 20 at once queue` },
      bot_rss_mb_5000_nodes: {
        value: median(rss),
        unit: 'MiB',
        target: 300,
        runs: rss.length,
        note: `median VmRSS of the bot process (Slack, SQLite, simulated cluster of ${NODES} nodes) over ${RSS_SAMPLES} s after the ${runs} requests (${Math.round(Math.min(...rss))}-${Math.round(Math.max(...rss))} MiB); ${Math.round(idle.rssKiB / 1024)} MiB before them, peak ${Math.round(loaded.peakRssKiB / 1024)} MiB, anonymous ${Math.round(loaded.rssAnonKiB / 1024)} MiB; its modules alone: bot_import_rss_mb`,
      },
    };
  } finally {
    await supervisor.stopAll(5000);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
