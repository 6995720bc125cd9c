// The image cannot be built here (no Docker engine), so its Dockerfile is checked statically:
// what it copies exists and is not ignored, it runs as non-root on Node 24, and what it runs is
// the package's own command with subcommands that exist.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingList } from '../../bot/config/settings.ts';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const dockerignore = readFileSync(new URL('.dockerignore', root), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const cliSource = readFileSync(new URL('bot/cli.ts', root), 'utf8');
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: Record<string, string> };

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

const all = instructions(dockerfile);
const stageStarts = all.flatMap((instruction, index) => (instruction.keyword === 'FROM' ? [index] : []));
const finalStage = all.slice(stageStarts.at(-1) ?? 0);
const buildArgs = new Map(
  all
    .filter((instruction) => instruction.keyword === 'ARG')
    .map((instruction) => instruction.args.split('=') as [string, string | undefined])
    .filter((pair): pair is [string, string] => pair[1] !== undefined),
);

function resolveArgs(text: string): string {
  return text.replace(/\$\{(\w+)\}/g, (_match, name: string) => buildArgs.get(name) ?? `\${${name}}`);
}

function isIgnored(path: string): boolean {
  const first = path.replace(/^\.\//, '').split('/')[0] ?? '';
  return dockerignore.some((pattern) => pattern === first || pattern === path || (pattern.startsWith('*') && path.endsWith(pattern.slice(1))));
}

function jsonArray(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

function cliCommands(): Set<string> {
  return new Set([...cliSource.matchAll(/\.command\('([a-z-]+)'\)/g)].map((match) => match[1] ?? ''));
}

describe('Dockerfile', () => {
  it('is multi-stage with a Node 24 slim runtime', () => {
    expect(stageStarts.length).toBeGreaterThanOrEqual(2);
    const runtimeBase = resolveArgs(finalStage[0]?.args ?? '');
    expect(runtimeBase).toMatch(/^node:24[-.\w]*-slim\b/);
  });

  it('builds the native sqlite3 module in the build stage and copies only production dependencies', () => {
    const buildStage = all.slice(stageStarts[0], stageStarts.at(-1));
    expect(buildStage.some((instruction) => instruction.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(instruction.args))).toBe(true);
    expect(buildStage.some((instruction) => instruction.keyword === 'RUN' && instruction.args.includes("require('sqlite3')"))).toBe(true);
    expect(finalStage.some((instruction) => instruction.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(instruction.args))).toBe(false);
  });

  it('copies only files that exist in the repository and are not excluded by .dockerignore', () => {
    const copies = all.filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.startsWith('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/).filter((part) => !part.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(new URL(source, root)), `COPY source ${source} exists`).toBe(true);
        expect(isIgnored(source), `COPY source ${source} is not in .dockerignore`).toBe(false);
      }
    }
  });

  it('copies from stages that exist', () => {
    const stageNames = all.filter((instruction) => instruction.keyword === 'FROM').map((instruction) => /\bAS\s+(\S+)/i.exec(instruction.args)?.[1]);
    for (const copy of all.filter((instruction) => instruction.keyword === 'COPY' && instruction.args.startsWith('--from='))) {
      const stage = /^--from=(\S+)/.exec(copy.args)?.[1];
      expect(stageNames).toContain(stage);
    }
  });

  it('runs as a non-root user', () => {
    const users = finalStage.filter((instruction) => instruction.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)?.args ?? '';
    expect(user.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  it('starts the package entry point, whose default subcommand exists', () => {
    const entrypoint = jsonArray(finalStage.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args ?? 'null');
    const command = jsonArray(finalStage.find((instruction) => instruction.keyword === 'CMD')?.args ?? 'null');
    expect(entrypoint[0]).toBe('node');
    expect(entrypoint[1]).toBe(packageJson.bin.patchwindow);
    expect(existsSync(new URL(entrypoint[1] ?? '', root))).toBe(true);
    expect(cliCommands()).toContain(command[0]);
  });

  it('names only subcommands that exist (bot, agent and the safety-net reap)', () => {
    const named = [...dockerfile.matchAll(/`patchwindow ([a-z|]+)`/g)].flatMap((match) => (match[1] ?? '').split('|'));
    expect(named).toEqual(expect.arrayContaining(['bot', 'agent', 'reap']));
    for (const name of named) expect(cliCommands(), `patchwindow ${name}`).toContain(name);
  });

  it('sets only environment variables that are patchwindow settings', () => {
    const known = new Set(settingList.map((definition) => definition.env));
    const envNames = finalStage
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => [...instruction.args.matchAll(/(\w+)=/g)].map((match) => match[1] ?? ''))
      .filter((name) => name.startsWith('PATCHWINDOW_'));
    expect(envNames.length).toBeGreaterThan(0);
    for (const name of envNames) expect(known, name).toContain(name);
  });
});
