/**
 * The in-place fold MCO's merge uses (ignition/accumulate.ts) gives exactly what folding the pure
 * `mergeIgnition` with MCO's compression and overwrite passes gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IgnitionAccumulator } from '../../../functions/core/render/ignition/accumulate.ts';
import {
  type IgnObject,
  mergeIgnition,
  parseIgnition,
  toJsonTree,
  validateIgnition,
} from '../../../functions/core/render/index.ts';
import { ign } from './factories.ts';

/** MCO's MergeMachineConfigs Ignition part, written with the pure merge (reference/mco.md §1.4). */
function reference(configs: IgnObject[]): IgnObject {
  const mapFiles = (c: IgnObject, f: (file: IgnObject) => IgnObject): IgnObject => {
    const storage = c.storage as IgnObject | undefined;
    const files = storage?.files as IgnObject[] | undefined;
    return files ? { ...c, storage: { ...storage, files: files.map(f) } } : c;
  };
  let out = configs[0]!;
  for (const child of configs.slice(1)) {
    const withEmpty = mapFiles(child, (file) => {
      const contents = (file.contents as IgnObject | undefined) ?? {};
      return contents.compression === undefined
        ? { ...file, contents: { ...contents, compression: '' } }
        : file;
    });
    out = mapFiles(mergeIgnition(out, withEmpty), (file) => {
      const contents = file.contents as IgnObject | undefined;
      if (contents?.compression !== '') return file;
      const { compression: _, ...rest } = contents;
      return Object.keys(rest).length > 0
        ? { ...file, contents: rest }
        : (({ contents: _c, ...f }) => f)(file);
    });
  }
  return mapFiles(out, (file) => (file.overwrite === undefined ? { ...file, overwrite: true } : file));
}

const path = fc.constantFrom('/a', '/b', '/c', '/d');
const entry = fc.record(
  {
    path,
    mode: fc.option(fc.constantFrom(0o644, 0o600), { nil: undefined }),
    overwrite: fc.option(fc.boolean(), { nil: undefined }),
    contents: fc.option(
      fc.record(
        {
          source: fc.constantFrom('data:,1', 'data:,2'),
          compression: fc.option(fc.constantFrom('', 'gzip'), { nil: undefined }),
        },
        { requiredKeys: ['source'] },
      ),
      { nil: undefined },
    ),
  },
  { requiredKeys: ['path'] },
);
const config = fc
  .record({
    nodes: fc.uniqueArray(fc.tuple(entry, fc.constantFrom('files', 'directories', 'links')), {
      selector: ([e]) => e.path,
      maxLength: 4,
    }),
    units: fc.uniqueArray(
      fc.record({ name: fc.constantFrom('a.service', 'b.service'), enabled: fc.boolean() }),
      { selector: (u) => u.name, maxLength: 2 },
    ),
    kargs: fc.array(fc.constantFrom('x', 'y'), { maxLength: 2 }),
  })
  .map(({ nodes, units, kargs }) => {
    const storage: Record<string, unknown[]> = {};
    for (const [e, list] of nodes) {
      const item =
        list === 'files'
          ? e
          : list === 'links'
            ? { path: e.path, target: '/t' }
            : { path: e.path, mode: e.mode };
      if (e.overwrite !== undefined && list !== 'files') Object.assign(item, { overwrite: false });
      storage[list] = [...(storage[list] ?? []), item];
    }
    const parsed = parseIgnition(
      ign({ storage, systemd: { units }, kernelArguments: { shouldExist: kargs } }),
    ).config;
    return parsed;
  })
  .filter((c) => validateIgnition(c).length === 0);

describe('IgnitionAccumulator', () => {
  it('folds like the pure merge with MCO passes', () => {
    fc.assert(
      fc.property(fc.array(config, { minLength: 1, maxLength: 5 }), (configs) => {
        // Act
        const acc = new IgnitionAccumulator(configs[0]!);
        for (const c of configs.slice(1)) acc.merge(c);
        // Assess
        expect(toJsonTree(acc.result())).toEqual(toJsonTree(reference(configs)));
      }),
      { numRuns: 500 },
    );
  });
});
