// The package list next to the sentinel file (`reboot-required.pkgs`, one package per line, written
// by the distribution's upgrade hooks). It is untrusted input that ends up in a Node annotation, so
// only names that look like package names are kept, and binary or oversized files cannot hurt.

/** Bytes read from the file at most; anything past this is ignored. */
export const MAX_PACKAGE_FILE_BYTES = 64 * 1024;
export const MAX_PACKAGES = 500;

/** Debian, RPM and Arch package names, optionally with an architecture (`libc6:amd64`). */
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+:~@-]{0,127}$/;

export interface PackageList {
  readonly packages: readonly string[];
  /** Why (part of) the file was not used, for the log; undefined when it was read as is. */
  readonly problem: 'binary' | 'too-large' | 'unreadable-lines' | undefined;
}

/**
 * `bytes` holds the start of the file (at most MAX_PACKAGE_FILE_BYTES); `complete` says whether
 * that is the whole file. A cut-off last line is dropped rather than reported half.
 */
export function parsePackageList(bytes: Uint8Array, complete: boolean): PackageList {
  if (bytes.includes(0)) return { packages: [], problem: 'binary' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // A cut-off file may end in half a UTF-8 sequence; anything else that does not decode is binary.
    if (complete) return { packages: [], problem: 'binary' };
    text = new TextDecoder('utf-8').decode(bytes).replace(/\uFFFD+$/, '');
    if (text.includes('\uFFFD')) return { packages: [], problem: 'binary' };
  }
  const lines = text.split(/\r?\n/);
  if (!complete) lines.pop();
  const packages = new Set<string>();
  let unreadable = 0;
  for (const line of lines) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    if (name === '') continue;
    if (!PACKAGE_NAME.test(name)) {
      unreadable += 1;
      continue;
    }
    if (packages.size < MAX_PACKAGES) packages.add(name);
  }
  const problem = !complete ? 'too-large' : unreadable > 0 ? 'unreadable-lines' : undefined;
  return { packages: [...packages], problem };
}

/**
 * The packages as a comma list of at most `maxChars` characters. When they do not all fit, the
 * list ends with `+N more` so a reader knows it is cut.
 */
export function packagesAnnotation(packages: readonly string[], maxChars: number): string {
  const full = packages.join(',');
  if (full.length <= maxChars) return full;
  const kept: string[] = [];
  let length = 0;
  for (const [index, name] of packages.entries()) {
    const marker = `+${packages.length - index} more`;
    const withName = length + (kept.length > 0 ? 1 : 0) + name.length;
    const markerAfterName = withName + 1 + `+${packages.length - index - 1} more`.length;
    if (markerAfterName > maxChars) return [...kept, marker].join(',');
    kept.push(name);
    length = withName;
  }
  return kept.join(',');
}
