import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeconfigFileError, readKubeconfigFiles } from '../../../../agent/adapters/kubeconfig-file.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();

afterEach(() => {
  dirs.removeAll();
});

function write(directory: string, name: string, lines: readonly string[]): string {
  const file = join(directory, name);
  writeFileSync(file, [...lines, ''].join('\n'));
  return file;
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(KubeconfigFileError);
    return (error as Error).message;
  }
  throw new Error('expected a KubeconfigFileError');
}

describe('readKubeconfigFiles', () => {
  it('merges as kubectl: the first definition of a name wins, the first current-context decides', () => {
    const directory = dirs.make();
    const first = write(directory, 'first', [
      'clusters:',
      '- { name: shared, cluster: { server: "https://first.example" } }',
      'users:',
      '- { name: shared, user: { token: from-first } }',
    ]);
    const second = write(directory, 'second', [
      'current-context: second',
      'clusters:',
      '- { name: shared, cluster: { server: "https://second.example" } }',
      '- { name: only-second, cluster: { server: "https://only-second.example" } }',
      'contexts:',
      '- { name: second, context: { cluster: shared, user: shared } }',
    ]);
    const third = write(directory, 'third', ['current-context: third']);
    const merged = readKubeconfigFiles([first, second, third]);
    expect(merged.currentContext).toBe('second');
    expect(merged.clusters.get('shared')).toEqual({ name: 'shared', fields: { server: 'https://first.example' }, file: first });
    expect([...merged.clusters.keys()]).toEqual(['shared', 'only-second']);
    expect(merged.users.get('shared')?.fields).toEqual({ token: 'from-first' });
    expect(merged.contexts.get('second')?.file).toBe(second);
  });

  it('makes file paths absolute against the directory of the file that names them', () => {
    const directory = dirs.make();
    const file = write(directory, 'kubeconfig', [
      'clusters:',
      '- { name: c, cluster: { server: "https://x", certificate-authority: pki/ca.crt } }',
      'users:',
      '- name: relative',
      '  user: { client-certificate: pki/me.crt, client-key: ../me.key, token-file: token }',
      '- name: absolute',
      '  user: { client-certificate: /etc/me.crt, client-certificate-data: ignored-here }',
      '- name: exec-path',
      '  user: { exec: { command: ./bin/plugin, args: [a] } }',
      '- name: exec-on-path',
      '  user: { exec: { command: kubelogin } }',
    ]);
    const merged = readKubeconfigFiles([file]);
    expect(merged.clusters.get('c')?.fields['certificate-authority']).toBe(join(directory, 'pki/ca.crt'));
    expect(merged.users.get('relative')?.fields).toEqual({
      'client-certificate': join(directory, 'pki/me.crt'),
      'client-key': join(directory, '../me.key'),
      'token-file': join(directory, 'token'),
    });
    expect(merged.users.get('absolute')?.fields['client-certificate']).toBe('/etc/me.crt');
    expect(merged.users.get('exec-path')?.fields['exec']).toEqual({ command: join(directory, 'bin/plugin'), args: ['a'] });
    expect(merged.users.get('exec-on-path')?.fields['exec']).toEqual({ command: 'kubelogin' });
  });

  it('accepts an empty file', () => {
    const directory = dirs.make();
    expect(readKubeconfigFiles([write(directory, 'empty', [])])).toMatchObject({ currentContext: undefined });
  });

  it('says which file and which entry is wrong', () => {
    const directory = dirs.make();
    expect(failure(() => readKubeconfigFiles([join(directory, 'gone')]))).toMatch(new RegExp(`^${join(directory, 'gone')}: ENOENT`));
    const list = write(directory, 'list', ['- a', '- b']);
    expect(failure(() => readKubeconfigFiles([list]))).toBe(`${list}: expected a kubeconfig (a YAML mapping with clusters, users and contexts)`);
    const clusters = write(directory, 'clusters', ['clusters: { a: b }']);
    expect(failure(() => readKubeconfigFiles([clusters]))).toBe(`${clusters}: clusters: expected a list`);
    const nameless = write(directory, 'nameless', ['users:', '- { user: { token: x } }']);
    expect(failure(() => readKubeconfigFiles([nameless]))).toBe(`${nameless}: users[0].name: expected a non-empty string`);
    const context = write(directory, 'context', ['contexts:', '- { name: a, context: [x] }']);
    expect(failure(() => readKubeconfigFiles([context]))).toBe(`${context}: contexts[0].context: expected a mapping`);
  });
});
