// The agent's settings through the real loader: environment, file, and the one-line errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../bot/config/config-error.ts';
import { loadConfig } from '../../../bot/config/load-config.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
let cwd: string;

beforeEach(() => {
  cwd = dirs.make('patchwindow-agent-config-');
});

afterEach(() => {
  dirs.removeAll();
});

function failure(env: Record<string, string>): string {
  try {
    loadConfig({ env, cwd });
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('agent settings', () => {
  it('reads the conventional NODE_NAME and KUBECONFIG variables', () => {
    const config = loadConfig({ env: { NODE_NAME: 'ip-10-0-1-23.eu-central-1.compute.internal', KUBECONFIG: '/tmp/kc' }, cwd });
    expect(config.agent.nodeName).toBe('ip-10-0-1-23.eu-central-1.compute.internal');
    expect(config.cluster.kubeconfig).toBe('/tmp/kc');
  });

  it('reads the sentinel command as a JSON array from the environment', () => {
    const config = loadConfig({
      env: {
        PATCHWINDOW_AGENT_SENTINEL_COMMAND: '["needs-restarting", "-r"]',
        PATCHWINDOW_AGENT_REBOOT_EXIT_CODE: '1',
        PATCHWINDOW_AGENT_NSENTER: 'true',
        PATCHWINDOW_AGENT_COMMAND_TIMEOUT: '45s',
        PATCHWINDOW_AGENT_SCAN_INTERVAL: '1m30s',
        PATCHWINDOW_AGENT_HEARTBEAT_INTERVAL: '2h',
      },
      cwd,
    });
    expect(config.agent).toMatchObject({
      sentinelCommand: ['needs-restarting', '-r'],
      rebootExitCode: 1,
      nsenter: true,
      commandTimeoutMs: 45_000,
      scanIntervalMs: 90_000,
      heartbeatIntervalMs: 7_200_000,
    });
  });

  it('reads the agent section of the file, the command as a YAML list', () => {
    writeFileSync(
      join(cwd, 'patchwindow.yaml'),
      'agent:\n  host: 0.0.0.0\n  port: 9200\n  sentinelFile: /host/var/run/reboot-required\n  sentinelCommand: [/usr/bin/needs-restarting, -r]\n  scanInterval: 10s\ncluster:\n  kubeconfig: /etc/kubeconfig\n',
    );
    const config = loadConfig({ env: {}, cwd });
    expect(config.agent).toMatchObject({
      host: '0.0.0.0',
      port: 9200,
      sentinelFile: '/host/var/run/reboot-required',
      sentinelCommand: ['/usr/bin/needs-restarting', '-r'],
      scanIntervalMs: 10_000,
    });
    expect(config.cluster.kubeconfig).toBe('/etc/kubeconfig');
  });

  const cases: [string, Record<string, string>, string][] = [
    ['command not JSON', { PATCHWINDOW_AGENT_SENTINEL_COMMAND: 'needs-restarting -r' }, 'PATCHWINDOW_AGENT_SENTINEL_COMMAND="needs-restarting -r" (environment): expected the command as a list of words, program first, e.g. ["needs-restarting","-r"] (a JSON array in the environment)'],
    ['command empty list', { PATCHWINDOW_AGENT_SENTINEL_COMMAND: '[]' }, 'PATCHWINDOW_AGENT_SENTINEL_COMMAND="[]" (environment): expected the command as a list of words, program first, e.g. ["needs-restarting","-r"] (a JSON array in the environment)'],
    ['exit code 0', { PATCHWINDOW_AGENT_REBOOT_EXIT_CODE: '0' }, 'PATCHWINDOW_AGENT_REBOOT_EXIT_CODE="0" (environment): expected an integer from 1 to 255'],
    ['relative sentinel', { PATCHWINDOW_AGENT_SENTINEL_FILE: 'reboot-required' }, 'PATCHWINDOW_AGENT_SENTINEL_FILE="reboot-required" (environment): expected an absolute file path, e.g. /host/var/run/reboot-required'],
    ['sentinel is a directory path', { PATCHWINDOW_AGENT_SENTINEL_FILE: '/var/run/' }, 'PATCHWINDOW_AGENT_SENTINEL_FILE="/var/run/" (environment): expected an absolute file path, e.g. /host/var/run/reboot-required'],
    ['timeout too short', { PATCHWINDOW_AGENT_COMMAND_TIMEOUT: '0s' }, 'PATCHWINDOW_AGENT_COMMAND_TIMEOUT="0s" (environment): expected a duration like 30s or 2m (from 1s to 10m)'],
    ['timeout unreadable', { PATCHWINDOW_AGENT_COMMAND_TIMEOUT: '30 seconds' }, 'PATCHWINDOW_AGENT_COMMAND_TIMEOUT="30 seconds" (environment): expected a duration like 30s or 2m (from 1s to 10m)'],
    ['interval empty units', { PATCHWINDOW_AGENT_SCAN_INTERVAL: 'm' }, 'PATCHWINDOW_AGENT_SCAN_INTERVAL="m" (environment): expected a duration like 5m or 90s (from 1s to 24h)'],
    ['heartbeat too long', { PATCHWINDOW_AGENT_HEARTBEAT_INTERVAL: '25h' }, 'PATCHWINDOW_AGENT_HEARTBEAT_INTERVAL="25h" (environment): expected a duration like 30m (from 1s to 24h)'],
    ['port', { PATCHWINDOW_AGENT_PORT: '99999' }, 'PATCHWINDOW_AGENT_PORT="99999" (environment): expected an integer from 0 to 65535 (0 picks a free port)'],
    ['nsenter', { PATCHWINDOW_AGENT_NSENTER: 'yes' }, 'PATCHWINDOW_AGENT_NSENTER="yes" (environment): expected true or false'],
  ];
  it.each(cases)('refuses %s in one line', (_name, env, message) => {
    expect(failure(env)).toBe(message);
  });

  it('suggests the right agent variable for a typo', () => {
    expect(failure({ PATCHWINDOW_AGENT_SCAN_INTERVALL: '5m' })).toBe('unknown environment variable PATCHWINDOW_AGENT_SCAN_INTERVALL; did you mean PATCHWINDOW_AGENT_SCAN_INTERVAL?');
  });
});
