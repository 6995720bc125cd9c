// Reads and merges kubeconfig files the way kubectl does: for clusters, users and contexts the
// first file that defines a name wins, and the first file that sets current-context decides it.
// File paths inside a file are relative to that file's directory (as are exec commands that
// contain a path separator); they are made absolute here, before merging. Entries stay as written
// (plain YAML mappings) so that the client-node fallback can be handed the very same user.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { parse } from 'yaml';

export type KubeconfigMapping = Readonly<Record<string, unknown>>;

export interface KubeconfigEntry {
  readonly name: string;
  /** The `cluster`, `user` or `context` mapping, file paths made absolute. */
  readonly fields: KubeconfigMapping;
  /** The file that defined it, for error messages. */
  readonly file: string;
}

export interface MergedKubeconfig {
  readonly currentContext: string | undefined;
  readonly clusters: ReadonlyMap<string, KubeconfigEntry>;
  readonly users: ReadonlyMap<string, KubeconfigEntry>;
  readonly contexts: ReadonlyMap<string, KubeconfigEntry>;
}

/** A file that cannot be read or is not a kubeconfig; the message names the file and the field. */
export class KubeconfigFileError extends Error {
  override readonly name = 'KubeconfigFileError';
}

const LISTS = { clusters: 'cluster', users: 'user', contexts: 'context' } as const;
type ListName = keyof typeof LISTS;

const CLUSTER_PATHS = ['certificate-authority'];
const USER_PATHS = ['client-certificate', 'client-key', 'token-file'];

export function readKubeconfigFiles(files: readonly string[]): MergedKubeconfig {
  let currentContext: string | undefined;
  const merged: Record<ListName, Map<string, KubeconfigEntry>> = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    const document = readDocument(file);
    const current = document['current-context'];
    if (current !== undefined && current !== null && typeof current !== 'string') throw new KubeconfigFileError(`${file}: current-context: expected a string`);
    if (currentContext === undefined && typeof current === 'string' && current !== '') currentContext = current;
    for (const list of Object.keys(LISTS) as ListName[]) {
      for (const entry of entries(document, list, file)) {
        if (!merged[list].has(entry.name)) merged[list].set(entry.name, entry);
      }
    }
  }
  return { currentContext, ...merged };
}

function readDocument(file: string): KubeconfigMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new KubeconfigFileError(`${file}: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error: unknown) {
    throw new KubeconfigFileError(`${file}: not YAML: ${(error as Error).message.split('\n')[0] ?? ''}`, { cause: error });
  }
  if (document === null || document === undefined) return {};
  if (!isMapping(document)) throw new KubeconfigFileError(`${file}: expected a kubeconfig (a YAML mapping with clusters, users and contexts)`);
  return document;
}

function entries(document: KubeconfigMapping, list: ListName, file: string): KubeconfigEntry[] {
  const items = document[list];
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw new KubeconfigFileError(`${file}: ${list}: expected a list`);
  const key = LISTS[list];
  return items.map((item: unknown, index) => {
    const where = `${file}: ${list}[${String(index)}]`;
    if (!isMapping(item)) throw new KubeconfigFileError(`${where}: expected a mapping with name and ${key}`);
    const name = item['name'];
    if (typeof name !== 'string' || name === '') throw new KubeconfigFileError(`${where}.name: expected a non-empty string`);
    const fields = item[key] ?? {};
    if (!isMapping(fields)) throw new KubeconfigFileError(`${where}.${key}: expected a mapping`);
    return { name, fields: absolutePaths(list, fields, dirname(file)), file };
  });
}

function absolutePaths(list: ListName, fields: KubeconfigMapping, directory: string): KubeconfigMapping {
  const paths = list === 'clusters' ? CLUSTER_PATHS : list === 'users' ? USER_PATHS : [];
  const resolved: Record<string, unknown> = { ...fields };
  for (const key of paths) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) resolved[key] = resolve(directory, value);
  }
  const exec = fields['exec'];
  if (list === 'users' && isMapping(exec)) {
    const command = exec['command'];
    // As kubectl: a bare command name is looked up on PATH; one with a separator is a path.
    if (typeof command === 'string' && command.includes(sep) && !isAbsolute(command)) resolved['exec'] = { ...exec, command: resolve(directory, command) };
  }
  return resolved;
}

export function isMapping(value: unknown): value is KubeconfigMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
