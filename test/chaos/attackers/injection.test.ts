// Shell metacharacters and option injection in every field of a chat command that reaches a
// process, helm or the Kubernetes API. What a user types reaches the cluster through exactly these
// fields: the node selector (`--nodes`, a node affinity), the start's time zone (kured's
// --time-zone), the window id; a reason and a schedule name are stored and shown, never passed on;
// a stuck-lock holder is only compared with the lock's holders. helm gets the window on stdin as
// JSON, its argv comes from the configuration alone; the agent's sentinel command is an argv array
// through execa, never a shell. Each hostile input is refused, or passes as one inert value.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand, hostCommandLine } from '../../../agent/adapters/run-command.ts';
import { ConfigError } from '../../../bot/config/config-error.ts';
import { loadConfig } from '../../../bot/config/load-config.ts';
import { SimulatedCluster } from '../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { KuredHelm } from '../../../bot/adapters/cluster/kubernetes/kured-helm.ts';
import { kuredHelmValues } from '../../../bot/adapters/cluster/kubernetes/kured-helm-values.ts';
import { DEFAULT_KURED_MANIFEST_OPTIONS, kuredArgs, kuredManifests } from '../../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import type { RebootDaemonSpec } from '../../../bot/core/ports/cluster-port.ts';
import { ALICE, BOB, startEngineHarness } from '../../support/engine-harness.ts';
import type { EngineHarness } from '../../support/engine-harness.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { auditedSince, storedState } from '../fuzz/stored-state.ts';

const dirs = tempDirs();
afterAll(() => {
  dirs.removeAll();
});

/** The simulated cluster, remembering what the engine asked it to deploy. */
class RecordingCluster extends SimulatedCluster {
  readonly specs: RebootDaemonSpec[] = [];

  override deployRebootDaemon(spec: RebootDaemonSpec): Promise<void> {
    this.specs.push(spec);
    return super.deployRebootDaemon(spec);
  }
}

const HOSTILE = ['$(touch /tmp/pw-pwned)', '`id`', '; reboot', '&& reboot', '| sh', '--set image.tag=evil', '--set=x', '-n kube-system', '--kubeconfig=/etc/x', 'a\nb', '${IFS}', "'", '\\', '*', '../..'];

/** kured flags carry only these characters: letters, digits and the punctuation of times, zones and durations. */
const SAFE_FLAG = /^--[a-z-]+=[A-Za-z0-9_:,+/.-]*$/;
/** Label keys and values as Kubernetes validates them. */
const LABEL_TEXT = /^[A-Za-z0-9._/-]*$/;

async function harnessWith(cluster: RecordingCluster, clock: ManualClock): Promise<EngineHarness> {
  return startEngineHarness({ path: join(dirs.make(), 'inject.sqlite'), clock, cluster });
}

/** Opens a window with `options` typed after "open 1h", approves it, lets it open; the spec kured got, or the refusal. */
async function openWith(options: string): Promise<{ spec: RebootDaemonSpec; reason: string } | { refused: string }> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const cluster = new RecordingCluster(clock, { seed: 1 });
  const h = await harnessWith(cluster, clock);
  try {
    const before = await storedState(h.store.database);
    const reply = await h.engine.command(ALICE, `open 1h ${options}`);
    if (!reply.ok) {
      // Refused by the grammar or the engine: nothing stored, nothing deployed.
      expect(await auditedSince(h.store.database, before)).toEqual([]);
      expect((await storedState(h.store.database)).changes).toBe(before.changes);
      expect(cluster.specs).toEqual([]);
      return { refused: reply.text };
    }
    const [window] = await h.repositories.windows.listLive();
    expect((await h.engine.action(BOB, 'approve', String(window?.id))).ok).toBe(true);
    await h.runUntil(() => cluster.specs.length > 0, 24 * 3_600_000, 15 * 60_000);
    const spec = cluster.specs[0];
    if (spec === undefined) throw new Error('the window opened without deploying kured');
    return { spec, reason: window?.reason ?? '' };
  } finally {
    await h.shutdown();
  }
}

function fakeHelm(): { binary: string; calls: () => { argv: string[]; stdin: string }[] } {
  const directory = dirs.make('patchwindow-fake-helm-');
  const binary = join(directory, 'helm');
  // Each argument as it arrived, NUL-terminated (an argument cannot hold a NUL), and stdin.
  writeFileSync(binary, `#!/bin/sh\nout="${directory}/call-$$"\nprintf '%s\\0' "$@" > "$out.argv"\ncat > "$out.stdin"\nexit 0\n`);
  chmodSync(binary, 0o755);
  return {
    binary,
    calls: () =>
      readdirSync(directory)
        .filter((name) => name.endsWith('.argv'))
        .map((name) => ({
          argv: readFileSync(join(directory, name), 'utf8').split('\0').slice(0, -1),
          stdin: readFileSync(join(directory, name.replace(/\.argv$/, '.stdin')), 'utf8'),
        })),
  };
}

function helmFor(binary: string): KuredHelm {
  return new KuredHelm({
    binary,
    chart: 'kured/kured',
    version: '5.6.1',
    repositoryUrl: undefined,
    release: 'kured',
    timeout: '5m',
    kubeconfig: undefined,
    context: undefined,
    kured: DEFAULT_KURED_MANIFEST_OPTIONS,
    env: { PATH: process.env['PATH'] },
  });
}

/** The value at `path` inside nested objects, if there is one. */
function field(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((inner, key) => (typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)[key] : undefined), value);
}

/** Every string anywhere inside a JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(stringsIn);
}

async function checkReachesClusterInert(spec: RebootDaemonSpec, typed: readonly string[]): Promise<void> {
  for (const flag of kuredArgs(spec, DEFAULT_KURED_MANIFEST_OPTIONS)) expect(flag).toMatch(SAFE_FLAG);
  const manifests = kuredManifests(spec);
  const daemonSet = manifests.find((manifest) => manifest.kind === 'DaemonSet');
  const affinity = field(daemonSet, 'spec', 'template', 'spec', 'affinity');
  for (const text of stringsIn(affinity)) expect(text).toMatch(/^(In|NotIn|Exists|DoesNotExist)$|^[A-Za-z0-9._/-]*$/);
  // What the user typed as a reason is in no manifest.
  for (const text of typed) expect(JSON.stringify(manifests)).not.toContain(text);

  const helm = fakeHelm();
  await helmFor(helm.binary).install(spec);
  const [call] = helm.calls();
  // helm's argv is the configuration's alone; the window travels as JSON on stdin.
  expect(call?.argv).toEqual(helmFor(helm.binary).installArgs());
  expect(JSON.parse(call?.stdin ?? 'null')).toEqual(kuredHelmValues(spec, { ...DEFAULT_KURED_MANIFEST_OPTIONS, daemonSetName: 'kured' }));
  for (const text of typed) expect(call?.argv.join(' ')).not.toContain(text);
}

describe('hostile text in the fields of "open" that reach kured, helm and the Kubernetes API', () => {
  it('node selectors: refused unless every key and value is a plain label', async () => {
    const selectors = [...HOSTILE.map((text) => `app=${text}`), ...HOSTILE, 'app in (a;b)', 'app=a,--set=x', 'app=a b', 'kubernetes.io/os=linux', 'agentpool in (user, system)', '!node-role.kubernetes.io/control-plane'];
    const accepted: string[] = [];
    for (const selector of selectors) {
      const result = await openWith(`--nodes "${selector.replaceAll('"', '')}"`);
      if ('refused' in result) {
        expect(result.refused).toMatch(/^--nodes: cannot read label selector|a quote is not closed|unknown option|needs a value/);
        continue;
      }
      accepted.push(selector);
      expect(result.spec.nodeSelector).toBe(selector);
      for (const part of selector.split(/[\s,()!=]+/).filter((word) => word !== '' && word !== 'in' && word !== 'notin')) expect(part).toMatch(LABEL_TEXT);
      await checkReachesClusterInert(result.spec, []);
    }
    expect(accepted).toEqual(['kubernetes.io/os=linux', 'agentpool in (user, system)', '!node-role.kubernetes.io/control-plane']);
  });

  it('time zones: refused unless an IANA zone, which kured gets as one flag', async () => {
    const accepted: string[] = [];
    for (const zone of [...HOSTILE.filter((text) => !/['\n\\]/.test(text)), 'UTC;id', 'Europe/Zurich --set x', 'Etc/GMT+5', 'Europe/Zurich']) {
      const result = await openWith(`at 2026-11-25 13:00 ${zone}`);
      if ('refused' in result) {
        expect(result.refused).toMatch(/^cannot read|unknown option|needs a value|a quote is not closed/);
        continue;
      }
      accepted.push(zone);
      expect(result.spec.zone).toBe(zone);
      await checkReachesClusterInert(result.spec, []);
    }
    expect(accepted).toEqual(['Etc/GMT+5', 'Europe/Zurich']);
  });

  it('reasons: stored as typed, never passed to kured or helm', async () => {
    for (const reason of HOSTILE.filter((text) => !text.startsWith('--') && !text.includes('"'))) {
      const result = await openWith(`--reason "${reason}"`);
      if ('refused' in result) throw new Error(`a reason was refused: ${result.refused}`);
      expect(result.reason).toBe(reason);
      await checkReachesClusterInert(result.spec, [reason].filter((text) => text.length > 2));
    }
  });
});

describe('hostile text in names the bot stores or compares', () => {
  it('schedule names must be plain names; a stuck-lock holder is only compared with the lock\'s holders', async () => {
    const h = await startEngineHarness({ path: join(dirs.make(), 'names.sqlite') });
    try {
      for (const name of HOSTILE) {
        const before = await storedState(h.store.database);
        const reply = await h.engine.command(ALICE, `schedule add every sat 23:00-03:00 UTC --name "${name.replaceAll('"', '')}"`);
        expect(reply.ok, reply.text).toBe(false);
        expect((await storedState(h.store.database)).changes).toBe(before.changes);
      }
      for (const holder of HOSTILE.filter((text) => !/\s/.test(text))) {
        const before = await storedState(h.store.database);
        const reply = await h.engine.action(BOB, 'release-lock', holder);
        expect(reply.ok, reply.text).toBe(false);
        expect(await auditedSince(h.store.database, before)).toEqual(['lock.release-refused']);
        expect((await storedState(h.store.database)).changes - before.changes).toBe(1);
      }
      expect((await h.cluster.readLock()).holders).toEqual([]);
    } finally {
      await h.shutdown();
    }
  });
});

describe('hostile text in the settings that reach helm\'s argv', () => {
  it('is refused by the configuration, or passed as one argument in its place, never read as an option', () => {
    const env: Record<string, string> = {
      PATCHWINDOW_KURED_HELM_RELEASE: 'PATCHWINDOW_KURED_HELM_RELEASE',
      PATCHWINDOW_KURED_HELM_CHART: 'PATCHWINDOW_KURED_HELM_CHART',
      PATCHWINDOW_KURED_HELM_VERSION: 'PATCHWINDOW_KURED_HELM_VERSION',
      PATCHWINDOW_KURED_HELM_TIMEOUT: 'PATCHWINDOW_KURED_HELM_TIMEOUT',
      PATCHWINDOW_KURED_NAMESPACE: 'PATCHWINDOW_KURED_NAMESPACE',
      PATCHWINDOW_KUBE_CONTEXT: 'PATCHWINDOW_KUBE_CONTEXT',
    };
    const cwd = dirs.make();
    const taken: [string, string][] = [];
    for (const variable of Object.keys(env)) {
      for (const value of [...HOSTILE, '--post-renderer=/tmp/x', '-', 'a b']) {
        let config;
        try {
          config = loadConfig({ env: { PATCHWINDOW_KURED_METHOD: 'helm', [variable]: value }, cwd });
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(ConfigError);
          continue;
        }
        taken.push([variable, value]);
        const helm = new KuredHelm({ ...config.kured.helm, binary: '/bin/true', kubeconfig: undefined, context: config.cluster.context, kured: DEFAULT_KURED_MANIFEST_OPTIONS });
        const args = helm.installArgs();
        // The release and the chart come after "--"; every other value follows its option, as one word.
        const separator = args.indexOf('--');
        expect(args.slice(separator + 1)).toEqual([config.kured.helm.release, config.kured.helm.chart]);
        for (const [index, word] of args.slice(0, separator).entries()) {
          if (word === value) expect(args[index - 1]).toMatch(/^--[a-z-]+$/);
        }
      }
    }
    // A chart path, a version range ("*") may hold characters a shell would read: helm gets them
    // as they are. Nothing that looks like an option gets through, except a kubeconfig context
    // (free-form names), which follows --kube-context as its value.
    expect(taken.filter(([variable, value]) => /^-|\s/.test(value) && variable !== 'PATCHWINDOW_KUBE_CONTEXT')).toEqual([]);
    expect(taken.some(([variable]) => variable === 'PATCHWINDOW_KURED_HELM_CHART')).toBe(true);
  });
});

describe('the agent\'s sentinel command', () => {
  it('runs as an argv array: metacharacters and option-like words arrive as they are, and no shell acts on them', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'patchwindow-argv-'));
    try {
      const recorder = join(directory, 'record');
      writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\0' "$@" > "${directory}/argv"\nexit 7\n`);
      chmodSync(recorder, 0o755);
      const canary = join(directory, 'pwned');
      const words = [`$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, `&& touch ${canary}`, `| touch ${canary}`, `\ntouch ${canary}`, '--set', 'image.tag=evil', '-n', 'kube-system', '${IFS}', '*', ''];
      const ending = await runCommand([recorder, ...words], 10_000);
      expect(ending).toEqual({ kind: 'exited', exitCode: 7, stderr: '' });
      expect(readFileSync(join(directory, 'argv'), 'utf8').split('\0').slice(0, -1)).toEqual(words);
      expect(existsSync(canary)).toBe(false);
      // On the host through nsenter, the command follows "--": its words are never nsenter's options.
      expect(hostCommandLine(['-n', '--set'], true)).toEqual(['nsenter', '--target', '1', '--mount', '--', '-n', '--set']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
