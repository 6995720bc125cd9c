import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatLabelSelector,
  matchesLabels,
  parseLabelSelector,
  type LabelSelector,
} from '../../../../../bot/core/cluster/label-selector.ts';

function parsed(text: string): LabelSelector {
  const result = parseLabelSelector(text);
  if (!result.ok) throw new Error(result.message);
  return result.selector;
}

function failure(text: string): string {
  const result = parseLabelSelector(text);
  if (result.ok) throw new Error(`expected "${text}" to be refused`);
  return result.message;
}

const worker = {
  'kubernetes.io/hostname': 'sim-node-1',
  'node-role.kubernetes.io/worker': '',
  'topology.kubernetes.io/zone': 'sim-a',
  'patchwindow.dev/reboot-required': 'true',
};

describe('parseLabelSelector', () => {
  it('reads every operator', () => {
    expect(parsed('a=1,b==2,c!=3,d,!e,f in (y,x),g notin (z)').requirements).toEqual([
      { key: 'a', operator: 'equals', value: '1' },
      { key: 'b', operator: 'equals', value: '2' },
      { key: 'c', operator: 'notEquals', value: '3' },
      { key: 'd', operator: 'exists' },
      { key: 'e', operator: 'doesNotExist' },
      { key: 'f', operator: 'in', values: ['x', 'y'] },
      { key: 'g', operator: 'notIn', values: ['z'] },
    ]);
  });

  it('reads keys with a DNS prefix and tolerates white space between tokens', () => {
    expect(parsed(' node-role.kubernetes.io/worker , topology.kubernetes.io/zone in ( sim-a , sim-b ) ').requirements).toEqual([
      { key: 'node-role.kubernetes.io/worker', operator: 'exists' },
      { key: 'topology.kubernetes.io/zone', operator: 'in', values: ['sim-a', 'sim-b'] },
    ]);
  });

  it('allows the empty value after = and !=', () => {
    expect(parsed('node-role.kubernetes.io/worker=,x!=').requirements).toEqual([
      { key: 'node-role.kubernetes.io/worker', operator: 'equals', value: '' },
      { key: 'x', operator: 'notEquals', value: '' },
    ]);
  });

  it('reads an empty selector as selecting everything', () => {
    expect(parsed('').requirements).toEqual([]);
    expect(parsed('   ').requirements).toEqual([]);
    expect(matchesLabels(parsed(''), {})).toBe(true);
  });

  it('accepts names and values of 63 characters', () => {
    const longest = `a${'b'.repeat(61)}c`;
    expect(parsed(`${longest}=${longest}`).requirements).toEqual([{ key: longest, operator: 'equals', value: longest }]);
  });

  it.each([
    ['zone in (a,b', 'cannot read label selector "zone in (a,b": missing ")" after the values'],
    ['zone in a', 'cannot read label selector "zone in a": expected "(" after "in"'],
    ['zone in ()', 'cannot read label selector "zone in ()": "in ()" needs at least one value'],
    ['zone notin (a,)', 'cannot read label selector "zone notin (a,)": empty value before ")"'],
    ['zone in (a,,b)', 'cannot read label selector "zone in (a,,b)": empty value in the list'],
    ['zone in (a b)', 'cannot read label selector "zone in (a b)": expected "," or ")" after "a", found "b"'],
    ['a=1,,b', 'cannot read label selector "a=1,,b": empty requirement between commas'],
    ['a=1,', 'cannot read label selector "a=1": nothing follows the last ","'],
    [',a', 'cannot read label selector ",a": empty requirement between commas'],
    ['a=1 b=2', 'cannot read label selector "a=1 b=2": expected "," before "b"'],
    ['a=(b)', 'cannot read label selector "a=(b)": expected a value after "=", found "("'],
    ['a>1', 'cannot read label selector "a>1": the ">" operator is not supported; use =, !=, in, notin or a bare key'],
    ['a is b', 'cannot read label selector "a is b": expected =, ==, !=, in or notin after "a", found "is"'],
    ['=b', 'cannot read label selector "=b": expected a label key, found "="'],
    ['!a=b', 'cannot read label selector "!a=b": "!a" selects nodes without the key and takes no value'],
    ['!', 'cannot read label selector "!": expected a label key after "!"'],
    ['Zone_=a', 'cannot read label selector "Zone_=a": key name "Zone_" may contain only letters, digits, "-", "_" and ".", and must begin and end with a letter or digit'],
    ['zone=a b', 'cannot read label selector "zone=a b": expected "," before "b"'],
    ['zone=-a', 'cannot read label selector "zone=-a": value "-a" may contain only letters, digits, "-", "_" and ".", and must begin and end with a letter or digit'],
    ['zone=a@b', 'cannot read label selector "zone=a@b": value "a@b" may contain only letters, digits, "-", "_" and ".", and must begin and end with a letter or digit'],
    ['Example.com/zone', 'cannot read label selector "Example.com/zone": key prefix "Example.com" must be a DNS subdomain (lowercase letters, digits, "-" and ".")'],
    ['a/b/c', 'cannot read label selector "a/b/c": key "a/b/c" has more than one "/"'],
    ['/zone', 'cannot read label selector "/zone": key "/zone" has an empty prefix before "/"'],
    ['example.com/', 'cannot read label selector "example.com/": key "example.com/" has an empty name'],
  ])('refuses %s with one clear line', (text, message) => {
    expect(failure(text)).toBe(`${message}; example: node-role.kubernetes.io/worker,topology.kubernetes.io/zone in (sim-a,sim-b)`);
  });

  it('refuses names, values and prefixes that are too long', () => {
    const tooLong = 'a'.repeat(64);
    expect(failure(`${tooLong}=x`)).toContain(`key name "${'a'.repeat(59)}…" is longer than 63 characters`);
    expect(failure(`zone=${tooLong}`)).toContain('is longer than 63 characters');
    expect(failure(`${'a.'.repeat(127)}a/x`)).toContain('is longer than 253 characters');
  });

  it('quotes only the requirement at fault', () => {
    expect(failure('node-role.kubernetes.io/worker,zone in (a,b,c d),x=1')).toMatch(/^cannot read label selector "zone in \(a,b,c d\)":/);
  });

  it('keeps messages on one line', () => {
    expect(failure('zone\nin\t(a')).toMatch(/^[^\n]*$/);
  });
});

describe('matchesLabels', () => {
  it.each([
    ['node-role.kubernetes.io/worker', true],
    ['node-role.kubernetes.io/worker=', true],
    ['!node-role.kubernetes.io/control-plane', true],
    ['!node-role.kubernetes.io/worker', false],
    ['topology.kubernetes.io/zone=sim-a', true],
    ['topology.kubernetes.io/zone==sim-b', false],
    ['topology.kubernetes.io/zone!=sim-b', true],
    ['topology.kubernetes.io/zone!=sim-a', false],
    ['topology.kubernetes.io/zone in (sim-a,sim-c)', true],
    ['topology.kubernetes.io/zone in (sim-b)', false],
    ['topology.kubernetes.io/zone notin (sim-b)', true],
    ['topology.kubernetes.io/zone notin (sim-a)', false],
    // Kubernetes: a missing key satisfies != and notin, never = or in.
    ['missing!=x', true],
    ['missing notin (x)', true],
    ['missing=', false],
    ['missing in (x)', false],
    ['patchwindow.dev/reboot-required=true,topology.kubernetes.io/zone=sim-a', true],
    ['patchwindow.dev/reboot-required=true,topology.kubernetes.io/zone=sim-b', false],
  ])('%s → %s', (text, expected) => {
    expect(matchesLabels(parsed(text), worker)).toBe(expected);
  });

  it('does not mistake inherited object properties for labels', () => {
    expect(matchesLabels(parsed('constructor'), {})).toBe(false);
    expect(matchesLabels(parsed('!toString'), {})).toBe(true);
  });
});

describe('formatLabelSelector', () => {
  it('prints the canonical form: sorted by key, = for ==, sets sorted without duplicates', () => {
    expect(formatLabelSelector(parsed('z == 1 , !y, b notin (q,p,q), a in (c , b)'))).toBe('a in (b,c),b notin (p,q),!y,z=1');
    expect(formatLabelSelector(parsed('k!=,k2='))).toBe('k!=,k2=');
    expect(formatLabelSelector(parsed(''))).toBe('');
  });

  it('reads back what it prints, for any selector', () => {
    const name = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/);
    const key = fc.tuple(fc.option(fc.constantFrom('example.com', 'node-role.kubernetes.io'), { nil: undefined }), name).map(
      ([prefix, keyName]) => (prefix === undefined ? keyName : `${prefix}/${keyName}`),
    );
    const requirement = fc.oneof(
      key,
      key.map((k) => `!${k}`),
      fc.tuple(key, fc.constantFrom('=', '==', '!='), fc.option(name, { nil: '' })).map(([k, op, v]) => `${k}${op}${v}`),
      fc.tuple(key, fc.constantFrom(' in ', ' notin '), fc.array(name, { minLength: 1, maxLength: 4 })).map(
        ([k, op, values]) => `${k}${op}(${values.join(',')})`,
      ),
    );
    fc.assert(
      fc.property(fc.array(requirement, { maxLength: 5 }), (requirements) => {
        const canonical = formatLabelSelector(parsed(requirements.join(',')));
        expect(formatLabelSelector(parsed(canonical))).toBe(canonical);
      }),
    );
  });
});
