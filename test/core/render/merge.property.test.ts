/**
 * The Ignition merge laws MCO relies on (reference/mco.md §1.4), checked on generated configs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IgnObject, mergeIgnition, parseIgnition } from '../../../functions/core/render/index.ts';
import { ign } from './factories.ts';

const cfg = (sections: Record<string, unknown>): IgnObject => parseIgnition(ign(sections)).config;
const path = fc.constantFrom('/etc/a', '/etc/b', '/etc/c', '/etc/d', '/etc/e');
const mode = fc.option(fc.integer({ min: 0, max: 0o777 }), { nil: undefined });
const source = fc.option(fc.constantFrom('data:,x', 'data:,y', 'https://example.com/z'), { nil: undefined });
const fileEntry = fc.record(
  {
    path,
    mode,
    overwrite: fc.option(fc.boolean(), { nil: undefined }),
    contents: fc.record({ source }, { requiredKeys: [] }),
  },
  { requiredKeys: ['path'] },
);
// Unique paths inside one config, as Ignition validation requires.
const files = fc.uniqueArray(fileEntry, { selector: (f) => f.path, maxLength: 5 });
const keys = fc.array(fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5', 'k6'), { maxLength: 6 });
const units = fc.uniqueArray(
  fc.record(
    {
      name: fc.constantFrom('a.service', 'b.service', 'c.timer'),
      enabled: fc.option(fc.boolean(), { nil: undefined }),
      contents: fc.option(fc.constantFrom('[Unit]\n', '[Service]\nX=1\n'), { nil: undefined }),
    },
    { requiredKeys: ['name'] },
  ),
  { selector: (u) => u.name, maxLength: 3 },
);
const config = fc.record({ files, units, keys }).map(({ files, units, keys }) =>
  cfg({
    storage: { files },
    systemd: { units },
    passwd: { users: keys.length > 0 ? [{ name: 'core', sshAuthorizedKeys: keys }] : [] },
  }),
);

const filesOf = (c: IgnObject): IgnObject[] =>
  ((c.storage as IgnObject | undefined)?.files as IgnObject[] | undefined) ?? [];
const keysOf = (c: IgnObject): string[] =>
  (((c.passwd as IgnObject | undefined)?.users as IgnObject[] | undefined)?.[0]?.sshAuthorizedKeys as
    | string[]
    | undefined) ?? [];

describe('Ignition merge laws', () => {
  it('pointer fields: the child wins when it sets one, else the parent value stays', () => {
    fc.assert(
      fc.property(config, config, (parent, child) => {
        // Act
        const merged = mergeIgnition(parent, child);
        // Assess
        for (const f of filesOf(merged)) {
          const p = filesOf(parent).find((x) => x.path === f.path);
          const c = filesOf(child).find((x) => x.path === f.path);
          for (const field of ['mode', 'overwrite'] as const) {
            expect(f[field]).toEqual(c?.[field] !== undefined ? c[field] : p?.[field]);
          }
          const cs = (c?.contents as IgnObject | undefined)?.source;
          const ps = (p?.contents as IgnObject | undefined)?.source;
          expect((f.contents as IgnObject | undefined)?.source).toEqual(cs !== undefined ? cs : ps);
        }
      }),
    );
  });

  it('primitive lists: order-preserving union, parent first, parent duplicates kept', () => {
    fc.assert(
      fc.property(keys, keys, (p, c) => {
        // Prepare
        const parent = cfg({ passwd: { users: [{ name: 'core', sshAuthorizedKeys: p }] } });
        const child = cfg({ passwd: { users: [{ name: 'core', sshAuthorizedKeys: c }] } });
        // Act
        const merged = keysOf(mergeIgnition(parent, child));
        // Assess
        const expected = p.length === 0 ? c : [...p, ...c.filter((k) => !p.includes(k))];
        expect(merged).toEqual(expected);
      }),
    );
  });

  it('keyed lists: parent entries keep their positions, child-only entries follow in child order', () => {
    fc.assert(
      fc.property(config, config, (parent, child) => {
        // Act
        const merged = filesOf(mergeIgnition(parent, child)).map((f) => f.path);
        // Assess
        const p = filesOf(parent).map((f) => f.path);
        const c = filesOf(child).map((f) => f.path);
        expect(merged).toEqual([...p, ...c.filter((x) => !p.includes(x))]);
      }),
    );
  });

  it('a config merged with itself is unchanged', () => {
    fc.assert(
      fc.property(config, (c) => {
        // Act / Assess
        expect(mergeIgnition(c, c)).toEqual(c);
      }),
    );
  });

  it('merging an empty config on either side changes nothing', () => {
    fc.assert(
      fc.property(config, (c) => {
        // Prepare
        const empty = cfg({});
        // Act / Assess
        expect(mergeIgnition(c, empty)).toEqual(c);
        expect(mergeIgnition(empty, c)).toEqual(c);
      }),
    );
  });

  it('concatenates never-deduplicated lists, so append doubles when a config is merged with itself', () => {
    // Prepare
    const c = cfg({ storage: { files: [{ path: '/etc/log', append: [{ source: 'data:,x' }] }] } });
    // Act
    const merged = filesOf(mergeIgnition(c, c))[0]!;
    // Assess
    expect(merged.append).toEqual([{ source: 'data:,x' }, { source: 'data:,x' }]);
  });

  it('shares one key space between files, directories and links', () => {
    // Prepare
    const parent = cfg({
      storage: { files: [{ path: '/x', contents: { source: 'data:,a' } }, { path: '/y' }] },
    });
    const child = cfg({ storage: { links: [{ path: '/x', target: '/y' }] } });
    // Act
    const merged = mergeIgnition(parent, child).storage as IgnObject;
    // Assess
    expect(merged.files).toEqual([{ path: '/y' }]);
    expect(merged.links).toEqual([{ path: '/x', target: '/y' }]);
  });

  it('merges units by name: set contents/enabled/mask replace, dropins union by name', () => {
    // Prepare
    const parent = cfg({
      systemd: {
        units: [
          { name: 'a.service', contents: 'old', enabled: true, dropins: [{ name: '1.conf', contents: 'p' }] },
        ],
      },
    });
    const child = cfg({
      systemd: {
        units: [
          { name: 'a.service', mask: true, dropins: [{ name: '1.conf', contents: 'c' }, { name: '2.conf' }] },
        ],
      },
    });
    // Act
    const merged = mergeIgnition(parent, child).systemd as IgnObject;
    // Assess
    expect(merged.units).toEqual([
      {
        name: 'a.service',
        contents: 'old',
        enabled: true,
        mask: true,
        dropins: [{ name: '1.conf', contents: 'c' }, { name: '2.conf' }],
      },
    ]);
  });

  it('keys partitions by number, else label, and shares kernel argument key space', () => {
    // Prepare
    const parent = cfg({
      storage: {
        disks: [
          {
            device: '/dev/sda',
            partitions: [
              { number: 1, label: 'a' },
              { label: 'b', sizeMiB: 1 },
            ],
          },
        ],
      },
      kernelArguments: { shouldExist: ['a', 'b'] },
    });
    const child = cfg({
      storage: {
        disks: [
          {
            device: '/dev/sda',
            partitions: [
              { number: 1, sizeMiB: 5 },
              { label: 'b', sizeMiB: 2 },
            ],
          },
        ],
      },
      kernelArguments: { shouldExist: ['c'], shouldNotExist: ['d'] },
    });
    // Act
    const merged = mergeIgnition(parent, child);
    // Assess
    expect(((merged.storage as IgnObject).disks as IgnObject[])[0]!.partitions).toEqual([
      { number: 1, label: 'a', sizeMiB: 5 },
      { label: 'b', sizeMiB: 2 },
    ]);
    expect(merged.kernelArguments).toEqual({ shouldExist: ['a', 'b', 'c'], shouldNotExist: ['d'] });
  });
});
