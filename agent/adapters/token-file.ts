// A bearer token kept in a file that changes under the process: bound ServiceAccount tokens are
// rotated by the kubelet about hourly (an atomic symlink swap), and token-file users may be rotated
// by other tooling. The file is read again when it changed (inode, size or mtime) or, as client-go
// does, at least once a minute; in between the cached token is used.
import { readFile, stat } from 'node:fs/promises';

export const TOKEN_FILE_MAX_AGE_MS = 60_000;

interface Cached {
  readonly token: string;
  readonly identity: string;
  readonly readAt: number;
}

export class TokenFile {
  readonly path: string;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  #cached: Cached | undefined;

  constructor(path: string, options: { readonly now?: () => number; readonly maxAgeMs?: number } = {}) {
    this.path = path;
    this.#now = options.now ?? Date.now;
    this.#maxAgeMs = options.maxAgeMs ?? TOKEN_FILE_MAX_AGE_MS;
  }

  /** The current token; throws when the file cannot be read or is empty (the message has the path, never the token). */
  async token(): Promise<string> {
    try {
      const facts = await stat(this.path);
      const identity = `${String(facts.ino)}/${String(facts.size)}/${String(facts.mtimeMs)}`;
      const now = this.#now();
      const cached = this.#cached;
      if (cached !== undefined && cached.identity === identity && now - cached.readAt < this.#maxAgeMs) return cached.token;
      const token = (await readFile(this.path, 'utf8')).trim();
      if (token === '') throw new Error('the file is empty');
      this.#cached = { token, identity, readAt: now };
      return token;
    } catch (error: unknown) {
      throw new Error(`cannot read the token file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }
}
