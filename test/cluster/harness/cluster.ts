// A real control plane on loopback for tests: etcd, kube-apiserver (RBAC on, service-account
// tokens signed with a test key, TLS from a test CA, a static-token admin in system:masters),
// kube-controller-manager (disruption, deployment, replicaset, garbage-collector, node-lifecycle,
// namespace, serviceaccount ... controllers; the DaemonSet controller is off so the kured DaemonSet
// object schedules no pods) and kube-scheduler, all from the same k8s.io/kubernetes build.
// stop() always tears everything down, proves no process is left and removes the temp dir.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubeClient } from './kube.ts';
import type { KubeClient } from './kube.ts';
import { createPki } from './pki.ts';
import type { ClusterPki } from './pki.ts';
import { processesMentioning, processSupervisor } from './processes.ts';
import type { ManagedProcess, ProcessSupervisor } from './processes.ts';
import { clusterTools } from './tools.ts';
import type { ClusterTools } from './tools.ts';

const run = promisify(execFile);

export interface ClusterOptions {
  /** Controllers for kube-controller-manager's --controllers (default: all but the DaemonSet controller). */
  readonly controllers?: readonly string[];
  /** Run kube-scheduler (default true). */
  readonly scheduler?: boolean;
  /** How long to wait for each component to come up (default 90 s). */
  readonly startTimeoutMs?: number;
  /** More kube-apiserver flags (e.g. `--watch-cache-sizes=nodes#0`), after the harness's own. */
  readonly apiserverArgs?: readonly string[];
}

export interface TestCluster {
  readonly dir: string;
  readonly tools: ClusterTools;
  readonly pki: ClusterPki;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly apiPort: number;
  /** etcd's client URL, http://127.0.0.1:<port> (e.g. for harness/etcd.ts). */
  readonly etcdUrl: string;
  readonly caPem: string;
  readonly adminKubeconfig: string;
  /** Client with the admin identity (system:masters). */
  readonly admin: KubeClient;
  readonly supervisor: ProcessSupervisor;
  readonly processes: Readonly<Record<'etcd' | 'apiserver' | 'controllerManager', ManagedProcess>> & {
    readonly scheduler?: ManagedProcess;
  };
  /** Runs kubectl with the admin kubeconfig. */
  kubectl(args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  /** A service-account token from the TokenRequest API (creates the ServiceAccount if missing). */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /**
   * Stops every process (also ones registered later on `supervisor`), checks that none is left,
   * copies the logs to `keepLogsIn` if given and removes the temp dir. Safe to call twice.
   */
  stop(options?: { keepLogsIn?: string }): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function pollUntil(description: string, timeoutMs: number, check: () => Promise<boolean>, alive?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (alive !== undefined && !alive.isRunning()) {
      throw new Error(`${alive.name} exited while waiting for ${description}; see ${alive.logFile}:\n${alive.output().slice(-3000)}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function kubeconfig(server: string, caFile: string, user: string, token: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server, 'certificate-authority': caFile } }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user } }],
      'current-context': 'test',
    },
    null,
    2,
  );
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const tools = clusterTools();
  const binaries = {
    etcd: tools.path('etcd'),
    apiserver: tools.path('kube-apiserver'),
    controllerManager: tools.path('kube-controller-manager'),
    scheduler: tools.path('kube-scheduler'),
    kubectl: tools.path('kubectl'),
  };
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  sweepStaleDirs();
  const dir = await mkdtemp(path.join(os.tmpdir(), TMP_PREFIX));
  const supervisor = processSupervisor();
  let admin: KubeClient | undefined;
  let stopped = false;
  // an interrupted run: the processes die with the test process (PR_SET_PDEATHSIG), the dir here
  const removeDirOnExit = (): void => {
    if (process.env['CLUSTER_KEEP_TMP'] === undefined) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', removeDirOnExit);
  // a runner that SIGKILLs its worker leaves no chance for that: a detached reaper removes the dir
  // once this process is gone (stop() ends the reaper first)
  const reaper =
    process.env['CLUSTER_KEEP_TMP'] === undefined
      ? spawn('sh', ['-c', 'tail --pid="$1" -f /dev/null; rm -rf "$2"', 'cluster-tmp-reaper', String(process.pid), dir], {
          detached: true,
          stdio: 'ignore',
        })
      : undefined;
  reaper?.unref();

  const stop = async (stopOptions: { keepLogsIn?: string } = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', removeDirOnExit);
    if (reaper?.pid !== undefined && reaper.exitCode === null && reaper.signalCode === null) {
      const reaped = new Promise((resolve) => reaper.once('exit', resolve));
      try {
        process.kill(-reaper.pid, 'SIGKILL');
        await reaped;
      } catch {
        // already gone
      }
    }
    admin?.close();
    await supervisor.stopAll(3000);
    const survivors = [...new Set([...supervisor.survivors(), ...processesMentioning(dir)])];
    if (stopOptions.keepLogsIn !== undefined) copyLogs(dir, stopOptions.keepLogsIn);
    if (process.env['CLUSTER_KEEP_TMP'] === undefined) rmSync(dir, { recursive: true, force: true });
    if (survivors.length > 0) {
      for (const pid of survivors) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      throw new Error(`processes left running after the cluster stopped (now killed): ${survivors.join(', ')}`);
    }
  };

  try {
    const pkiDir = path.join(dir, 'pki');
    mkdirSync(pkiDir);
    mkdirSync(path.join(dir, 'logs'));
    const pki = await createPki(pkiDir);
    const caPem = readFileSync(pki.caCert, 'utf8');

    // ---- etcd
    const [etcdClientPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = supervisor.start(
      'etcd',
      binaries.etcd,
      [
        '--name=test',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=test=${peerUrl}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      { logFile: path.join(dir, 'logs', 'etcd.log') },
    );
    await pollUntil(
      'etcd /health',
      startTimeoutMs,
      async () => {
        const res = await fetch(`${etcdUrl}/health`);
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      etcd,
    );

    // ---- kube-apiserver
    const tokens = {
      admin: randomBytes(24).toString('hex'),
      controllerManager: randomBytes(24).toString('hex'),
      scheduler: randomBytes(24).toString('hex'),
    };
    const tokenFile = path.join(pkiDir, 'tokens.csv');
    writeFileSync(
      tokenFile,
      [
        `${tokens.admin},patchwindow-test-admin,uid-admin,"system:masters"`,
        `${tokens.controllerManager},system:kube-controller-manager,uid-kcm`,
        `${tokens.scheduler},system:kube-scheduler,uid-scheduler`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = supervisor.start(
      'kube-apiserver',
      binaries.apiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=Node,RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        // pods/log and friends go to the node's kubelet (harness/kubelet-log-server.ts): at its
        // InternalIP (the Hostname address is a node name nothing resolves), both sides verified
        `--kubelet-client-certificate=${pki.kubeletClientCert}`,
        `--kubelet-client-key=${pki.kubeletClientKey}`,
        `--kubelet-certificate-authority=${pki.caCert}`,
        '--kubelet-preferred-address-types=InternalIP',
        // the "kubernetes" Endpoints may not point at loopback; nothing here needs them
        '--endpoint-reconciler-type=none',
        '--allow-privileged=true',
        '--profiling=false',
        '--v=1',
        ...(options.apiserverArgs ?? []),
      ],
      { logFile: path.join(dir, 'logs', 'kube-apiserver.log') },
    );
    admin = kubeClient({ server, ca: caPem, token: tokens.admin });
    const adminClient = admin;
    await pollUntil(
      'kube-apiserver /readyz',
      startTimeoutMs,
      async () => {
        await adminClient.request('GET', '/readyz');
        return true;
      },
      apiserver,
    );

    const adminKubeconfig = path.join(dir, 'admin.kubeconfig');
    writeFileSync(adminKubeconfig, kubeconfig(server, pki.caCert, 'admin', tokens.admin), { mode: 0o600 });
    const kcmKubeconfig = path.join(dir, 'kube-controller-manager.kubeconfig');
    writeFileSync(kcmKubeconfig, kubeconfig(server, pki.caCert, 'system:kube-controller-manager', tokens.controllerManager), { mode: 0o600 });
    const schedulerKubeconfig = path.join(dir, 'kube-scheduler.kubeconfig');
    writeFileSync(schedulerKubeconfig, kubeconfig(server, pki.caCert, 'system:kube-scheduler', tokens.scheduler), { mode: 0o600 });

    // ---- kube-controller-manager: PodDisruptionBudget status, ReplicaSets, GC, node lifecycle ...
    const controllerManager = supervisor.start(
      'kube-controller-manager',
      binaries.controllerManager,
      [
        `--kubeconfig=${kcmKubeconfig}`,
        '--leader-elect=false',
        '--secure-port=0',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--controllers=${(options.controllers ?? ['*', '-daemonset-controller']).join(',')}`,
        '--concurrent-deployment-syncs=2',
        '--v=1',
      ],
      { logFile: path.join(dir, 'logs', 'kube-controller-manager.log') },
    );
    // the serviceaccount controller creating "default" in "default" shows the controllers run
    await pollUntil(
      'kube-controller-manager (ServiceAccount default/default)',
      startTimeoutMs,
      async () => (await adminClient.find('/api/v1/namespaces/default/serviceaccounts/default')) !== undefined,
      controllerManager,
    );

    let scheduler: ManagedProcess | undefined;
    if (options.scheduler ?? true) {
      scheduler = supervisor.start(
        'kube-scheduler',
        binaries.scheduler,
        [`--kubeconfig=${schedulerKubeconfig}`, '--leader-elect=false', '--secure-port=0', '--v=1'],
        { logFile: path.join(dir, 'logs', 'kube-scheduler.log') },
      );
    }

    const cluster: TestCluster = {
      dir,
      tools,
      pki,
      server,
      apiPort,
      etcdUrl,
      caPem,
      adminKubeconfig,
      admin,
      supervisor,
      processes: { etcd, apiserver, controllerManager, ...(scheduler === undefined ? {} : { scheduler }) },
      async kubectl(args) {
        return run(binaries.kubectl, [`--kubeconfig=${adminKubeconfig}`, ...args], { env: { ...process.env, HOME: dir } });
      },
      async serviceAccountToken(namespace, name, expirationSeconds = 3600) {
        const saPath = `/api/v1/namespaces/${namespace}/serviceaccounts`;
        if ((await adminClient.find(`${saPath}/${name}`)) === undefined) {
          await adminClient.create(saPath, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
        }
        const request = await adminClient.create<{ status: { token: string } }>(`${saPath}/${name}/token`, {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds },
        });
        return request.status.token;
      },
      stop,
    };
    return cluster;
  } catch (error) {
    await stop({ keepLogsIn: failureLogDir() }).catch(() => undefined);
    throw error;
  }
}

const TMP_PREFIX = 'patchwindow-cluster-';

/** Removes temp dirs of runs killed too hard to clean up (older than 30 min, no process using them). */
function sweepStaleDirs(): void {
  const cutoff = Date.now() - 30 * 60_000;
  for (const name of readdirSync(os.tmpdir())) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      if (statSync(dir).mtimeMs < cutoff && processesMentioning(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone meanwhile
    }
  }
}

/** Where logs of a failed start or test go: <repo>/test-results/cluster/<time> (git-ignored). */
export function failureLogDir(): string {
  return path.join(process.cwd(), 'test-results', 'cluster', new Date().toISOString().replace(/[:.]/g, '-'));
}

function copyLogs(dir: string, target: string): void {
  mkdirSync(target, { recursive: true });
  const logs = path.join(dir, 'logs');
  if (!existsSync(logs)) return;
  for (const name of readdirSync(logs)) cpSync(path.join(logs, name), path.join(target, name));
}
