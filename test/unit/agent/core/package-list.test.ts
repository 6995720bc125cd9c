import { describe, expect, it } from 'vitest';
import { MAX_PACKAGE_FILE_BYTES, MAX_PACKAGES, packagesAnnotation, parsePackageList } from '../../../../agent/core/package-list.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parsePackageList', () => {
  it('reads one package per line, in order, without duplicates', () => {
    expect(parsePackageList(bytes('linux-image-6.1.0-18-amd64\nlibc6\nlinux-image-6.1.0-18-amd64\n'), true)).toEqual({
      packages: ['linux-image-6.1.0-18-amd64', 'libc6'],
      problem: undefined,
    });
  });

  it('accepts CRLF, blank lines, surrounding spaces and architecture qualifiers', () => {
    expect(parsePackageList(bytes('\r\n  libssl3:amd64  \r\n\r\nsystemd\r\n'), true).packages).toEqual(['libssl3:amd64', 'systemd']);
  });

  it('keeps the name of a line that also carries a version', () => {
    expect(parsePackageList(bytes('kernel-core 5.14.0-362.el9\n'), true).packages).toEqual(['kernel-core']);
  });

  it('reads an empty file as no packages and no problem', () => {
    expect(parsePackageList(bytes(''), true)).toEqual({ packages: [], problem: undefined });
  });

  it('leaves out lines that are not package names and says so', () => {
    const list = parsePackageList(bytes('libc6\n$(reboot)\n<script>\n"quoted"\n-rf\nsystemd\n'), true);
    expect(list).toEqual({ packages: ['libc6', 'systemd'], problem: 'unreadable-lines' });
  });

  it('refuses a file with NUL bytes as binary', () => {
    expect(parsePackageList(new Uint8Array([0x6c, 0x69, 0x62, 0x00, 0x0a]), true)).toEqual({ packages: [], problem: 'binary' });
  });

  it('refuses a file that is not UTF-8 as binary', () => {
    expect(parsePackageList(new Uint8Array([0x6c, 0x69, 0x62, 0xff, 0xfe, 0x0a]), true)).toEqual({ packages: [], problem: 'binary' });
  });

  it('drops the cut-off last line of a file larger than the limit', () => {
    const text = 'libc6\nsystemd\nlinux-ima';
    expect(parsePackageList(bytes(text), false)).toEqual({ packages: ['libc6', 'systemd'], problem: 'too-large' });
  });

  it('tolerates half a UTF-8 character where a large file was cut', () => {
    const cut = bytes('libc6\nсистемд').subarray(0, 11);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(cut)).toThrow();
    expect(parsePackageList(cut, false)).toEqual({ packages: ['libc6'], problem: 'too-large' });
  });

  it('keeps at most MAX_PACKAGES names', () => {
    const text = Array.from({ length: MAX_PACKAGES + 50 }, (_, i) => `pkg${i}`).join('\n');
    expect(text.length).toBeLessThan(MAX_PACKAGE_FILE_BYTES);
    expect(parsePackageList(bytes(text), true).packages).toHaveLength(MAX_PACKAGES);
  });

  it('never keeps a name longer than 128 characters', () => {
    expect(parsePackageList(bytes(`${'a'.repeat(129)}\nlibc6\n`), true).packages).toEqual(['libc6']);
  });
});

describe('packagesAnnotation', () => {
  it('joins the packages with commas when they fit', () => {
    expect(packagesAnnotation(['libc6', 'systemd'], 1000)).toBe('libc6,systemd');
    expect(packagesAnnotation([], 1000)).toBe('');
  });

  it('ends a list that does not fit with how many were left out, within the limit', () => {
    const packages = Array.from({ length: 200 }, (_, i) => `linux-modules-extra-${i}`);
    const value = packagesAnnotation(packages, 1000);
    expect(value.length).toBeLessThanOrEqual(1000);
    const items = value.split(',');
    const shown = items.length - 1;
    expect(items.slice(0, shown)).toEqual(packages.slice(0, shown));
    expect(items.at(-1)).toBe(`+${200 - shown} more`);
  });

  it('fits the marker even when the limit is reached exactly', () => {
    for (let limit = 10; limit < 54; limit++) {
      const value = packagesAnnotation(['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee', 'ffff', 'gggg', 'hhhh', 'iiii', 'jjjj', 'kkkk'], limit);
      expect(value.length, `limit ${limit}: ${value}`).toBeLessThanOrEqual(limit);
      expect(value).toMatch(/\+\d+ more$/);
    }
  });
});
